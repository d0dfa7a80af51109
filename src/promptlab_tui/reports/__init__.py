"""Usage report renderers (Textual-free): table (terminal), json, md, html and pdf, from one `ReportData`.

    render(data, "table", width=80) -> str        # compact under 100 columns, every column when wider
    render(data, "pdf") -> bytes                  # fpdf2, imported only here
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from promptlab_tui.services.dashboard_report import ReportData

FORMATS = ("table", "json", "md", "html", "pdf")


def render(data: ReportData, fmt: str, width: int = 80) -> str | bytes:
    if fmt == "table":
        from promptlab_tui.reports.table import render_table

        return render_table(data, width)
    if fmt == "json":
        from promptlab_tui.reports.json_report import render_json

        return render_json(data)
    if fmt == "md":
        from promptlab_tui.reports.markdown import render_markdown

        return render_markdown(data)
    if fmt == "html":
        from promptlab_tui.reports.html import render_html

        return render_html(data)
    if fmt == "pdf":
        from promptlab_tui.reports.pdf import render_pdf

        return render_pdf(data)
    raise ValueError(f"report format {fmt!r}: expected one of {', '.join(FORMATS)}")
