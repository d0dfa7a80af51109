"""The report as a PDF (fpdf2, imported only here): the summary, vector charts and tables, A4, fit to mail.

Text is set in a Unicode font found on the system (see pdf_fonts), so any name prints as typed; without one,
in the core font Helvetica with text folded to Latin-1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from promptlab_tui.reports.charts import Chart, Line, Rect, Text, all_charts
from promptlab_tui.reports.pdf_fonts import PdfFonts, latin1, setup
from promptlab_tui.reports.sections import Report, Table, build

if TYPE_CHECKING:
    from fpdf import FPDF

    from promptlab_tui.services.dashboard_report import ReportData

PAGE_W = 190  # mm of usable width on A4 with 10 mm margins
__all__ = ["latin1", "render_pdf"]


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def draw_chart(pdf: FPDF, chart: Chart, fonts: PdfFonts) -> None:
    scale = PAGE_W / chart.width  # chart points -> mm
    height = chart.height * scale
    if pdf.get_y() + height + 12 > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.set_font(fonts.family, "B", 11)
    pdf.cell(0, 7, fonts.text(chart.title), new_x="LMARGIN", new_y="NEXT")
    x0, y0 = pdf.l_margin, pdf.get_y()
    margin, pdf.c_margin = pdf.c_margin, 0  # chart labels sit exactly where the chart puts them
    for shape in chart.shapes:
        if isinstance(shape, Rect):
            pdf.set_fill_color(*_rgb(shape.fill))
            pdf.rect(x0 + shape.x * scale, y0 + shape.y * scale, max(shape.w * scale, 0.1), max(shape.h * scale, 0.1),
                     style="F")
        elif isinstance(shape, Line):
            pdf.set_draw_color(*_rgb(shape.color))
            pdf.set_line_width(0.2 * shape.width)
            if shape.dashed:
                pdf.set_dash_pattern(dash=1.5, gap=1)
            pdf.line(x0 + shape.x1 * scale, y0 + shape.y1 * scale, x0 + shape.x2 * scale, y0 + shape.y2 * scale)
            pdf.set_dash_pattern()
        elif isinstance(shape, Text):
            pdf.set_font(fonts.family, "", shape.size * scale * 2.83 * 0.95)
            pdf.set_text_color(*_rgb(shape.color))
            width = pdf.get_string_width(fonts.text(shape.text))
            shift = {"start": 0, "middle": width / 2, "end": width}[shape.anchor]
            # a cell, not pdf.text(): only cells use the fallback fonts; its baseline sits at 0.8 of the font size
            pdf.set_xy(x0 + shape.x * scale - shift, y0 + shape.y * scale - 0.8 * pdf.font_size)
            pdf.cell(width, pdf.font_size, fonts.text(shape.text))
    pdf.set_text_color(0, 0, 0)
    pdf.c_margin = margin
    pdf.set_y(y0 + height + 1)
    if chart.legend:
        pdf.set_font(fonts.family, "I", 8)
        pdf.cell(0, 5, fonts.text(chart.legend), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def draw_table(pdf: FPDF, table: Table, fonts: PdfFonts) -> None:
    pdf.set_font(fonts.family, "B", 11)
    if pdf.get_y() + 20 > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.cell(0, 7, fonts.text(table.title), new_x="LMARGIN", new_y="NEXT")
    rows = [table.headers, *table.rows] + ([table.total] if table.total else [])
    widths = [0.0] * len(table.headers)
    for number, row in enumerate(rows):  # each row measured in its own weight (the header and total are bold)
        pdf.set_font(fonts.family, "B" if number == 0 or (table.total and number == len(rows) - 1) else "", 8)
        widths = [max(w, pdf.get_string_width(fonts.text(cell)) + 3) for w, cell in zip(widths, row)]
    spare = PAGE_W - sum(widths)
    widths[table.shrink] = max(20.0, widths[table.shrink] + min(spare, 0))
    for number, row in enumerate(rows):
        bold = number == 0 or (table.total is not None and number == len(rows) - 1)
        pdf.set_font(fonts.family, "B" if bold else "", 8)
        for index, (cell, width) in enumerate(zip(row, widths)):
            text = fonts.text(cell)
            while text and pdf.get_string_width(text) > width - 2:
                text = text[:-4] + "..." if len(text) > 4 else text[:-1]
            pdf.cell(width, 5, text, border="B" if bold else 0, align="R" if index in table.numeric else "L")
        pdf.ln(5)
    if table.note:
        pdf.set_font(fonts.family, "I", 8)
        pdf.multi_cell(0, 4, fonts.text(f"Note: {table.note}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _pairs(pdf: FPDF, title: str, pairs: list[tuple[str, str]], fonts: PdfFonts) -> None:
    pdf.set_font(fonts.family, "B", 11)
    pdf.cell(0, 7, fonts.text(title), new_x="LMARGIN", new_y="NEXT")
    for key, value in pairs:
        pdf.set_font(fonts.family, "B", 9)
        pdf.cell(32, 5, fonts.text(key))
        pdf.set_font(fonts.family, "", 9)
        pdf.multi_cell(0, 5, fonts.text(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def render_pdf(data: ReportData) -> bytes:
    from fpdf import FPDF

    report = build(data, compact=False)
    charts = all_charts(data.view) if not report.empty_hint else []
    pdf = FPDF(format="A4")
    fonts = setup(pdf, _texts(report, charts))
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.set_title(fonts.text(report.title))
    pdf.set_creator("promptlab")
    pdf.add_page()
    pdf.set_font(fonts.family, "B", 15)
    pdf.multi_cell(0, 8, fonts.text(report.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(fonts.family, "", 9)
    pdf.multi_cell(0, 5, fonts.text(report.subtitle), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    if report.empty_hint:
        pdf.multi_cell(0, 5, fonts.text(report.empty_hint), new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())
    _pairs(pdf, "Summary", report.summary, fonts)
    _pairs(pdf, "Forecast", report.forecast, fonts)
    for chart in charts:
        draw_chart(pdf, chart, fonts)
    for table in report.tables:
        draw_table(pdf, table, fonts)
    if report.recommendations:
        pdf.set_font(fonts.family, "B", 11)
        pdf.cell(0, 7, "Recommendations", new_x="LMARGIN", new_y="NEXT")
        for number, (title, how) in enumerate(report.recommendations, 1):
            pdf.set_font(fonts.family, "B", 9)
            pdf.multi_cell(0, 5, fonts.text(f"{number}. {title}"), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font(fonts.family, "", 8)
            pdf.multi_cell(0, 4, fonts.text(how), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        if report.savings_line:
            pdf.set_font(fonts.family, "B", 9)
            pdf.multi_cell(0, 5, fonts.text(report.savings_line), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _texts(report: Report, charts: list[Chart]) -> list[str]:
    """Every string the PDF prints (to know whether a fallback font is needed)."""
    out = [report.title, report.subtitle, report.empty_hint or "", report.savings_line or ""]
    out += [text for pair in (*report.summary, *report.forecast, *report.recommendations) for text in pair]
    for table in report.tables:
        out += [table.title, table.note or "", *table.headers, *(table.total or [])]
        out += [cell for row in table.rows for cell in row]
    for chart in charts:
        out += [chart.title, chart.legend, *(shape.text for shape in chart.shapes if isinstance(shape, Text))]
    return out
