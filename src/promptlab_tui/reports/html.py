"""The report as one self-contained HTML page (inline CSS and SVG charts), fit to mail to a manager."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from promptlab_tui.reports.charts import Chart, Line, Rect, Text, all_charts
from promptlab_tui.reports.sections import Table, build

if TYPE_CHECKING:
    from promptlab_tui.services.dashboard_report import ReportData

_CSS = """body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#222;max-width:960px;margin:2em auto;
padding:0 1em}h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ddd}
.sub{color:#666}table{border-collapse:collapse;width:100%;font-size:.9em}th,td{padding:.25em .5em;
border-bottom:1px solid #eee;text-align:left}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
tr.total td{font-weight:bold;border-top:2px solid #999}dl{display:grid;grid-template-columns:max-content auto;
gap:.2em 1em}dt{font-weight:bold}dd{margin:0}.note,.legend{color:#666;font-size:.85em}svg{max-width:100%}
li{margin-bottom:.6em}"""


def svg(chart: Chart) -> str:
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {chart.width:.0f} {chart.height:.0f}" '
             f'width="{chart.width:.0f}" height="{chart.height:.0f}" role="img" aria-label="{escape(chart.title)}">']
    for shape in chart.shapes:
        if isinstance(shape, Rect):
            parts.append(f'<rect x="{shape.x:.1f}" y="{shape.y:.1f}" width="{shape.w:.1f}" height="{shape.h:.1f}" '
                         f'fill="{shape.fill}"/>')
        elif isinstance(shape, Line):
            dash = ' stroke-dasharray="4 3"' if shape.dashed else ""
            parts.append(f'<line x1="{shape.x1:.1f}" y1="{shape.y1:.1f}" x2="{shape.x2:.1f}" y2="{shape.y2:.1f}" '
                         f'stroke="{shape.color}" stroke-width="{shape.width}"{dash}/>')
        elif isinstance(shape, Text):
            parts.append(f'<text x="{shape.x:.1f}" y="{shape.y:.1f}" font-size="{shape.size}" fill="{shape.color}" '
                         f'text-anchor="{shape.anchor}">{escape(shape.text)}</text>')
    return "".join(parts) + "</svg>"


def _table(table: Table) -> str:
    def cells(row: list[str], tag: str) -> str:
        return "".join(f'<{tag}{" class=n" if i in table.numeric else ""}>{escape(c)}</{tag}>'
                       for i, c in enumerate(row))

    body = "".join(f"<tr>{cells(row, 'td')}</tr>" for row in table.rows)
    total = f'<tr class="total">{cells(table.total, "td")}</tr>' if table.total else ""
    note = f'<p class="note">{escape(table.note)}</p>' if table.note else ""
    return (f"<h2>{escape(table.title)}</h2><table><thead><tr>{cells(table.headers, 'th')}</tr></thead>"
            f"<tbody>{body}{total}</tbody></table>{note}")


def _pairs(pairs: list[tuple[str, str]]) -> str:
    return "<dl>" + "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in pairs) + "</dl>"


def render_html(data: ReportData) -> str:
    report = build(data, compact=False)
    head = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(report.title)}</title>'
            f"<style>{_CSS}</style></head><body><h1>{escape(report.title)}</h1>"
            f'<p class="sub">{escape(report.subtitle)}</p>')
    if report.empty_hint:
        return head + f"<p>{escape(report.empty_hint)}</p></body></html>\n"
    parts = [head, "<h2>Summary</h2>", _pairs(report.summary), "<h2>Forecast</h2>", _pairs(report.forecast)]
    for chart in all_charts(data.view):
        parts.append(f"<h2>{escape(chart.title)}</h2>{svg(chart)}")
        if chart.legend:
            parts.append(f'<p class="legend">{escape(chart.legend)}</p>')
    parts += [_table(table) for table in report.tables]
    if report.recommendations:
        items = "".join(f"<li><strong>{escape(t)}</strong><br><span class=note>{escape(h)}</span></li>"
                        for t, h in report.recommendations)
        parts.append(f"<h2>Recommendations</h2><ol>{items}</ol>")
        if report.savings_line:
            parts.append(f"<p>{escape(report.savings_line)}</p>")
    parts.append(f'<p class="note">Generated {escape(data.generated_at.isoformat(timespec="seconds"))} by promptlab. '
                 "Amounts in USD; runs without a price are counted, never priced at $0.</p></body></html>\n")
    return "".join(parts)
