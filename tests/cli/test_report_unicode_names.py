"""Names in any script or with markup come out of `report` as typed: the PDF embeds a Unicode font, Markdown escapes
HTML and its own marks, and the terminal table measures double-width characters in cells."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from rich.cells import cell_len

from promptlab_tui.cli.main import main
from tests.cli.test_report_cli import PERIOD, record_runs

CJK = "要約-résumé-✓"  # CJK, Latin-1 accents and a check mark (the audit's name, printed as "??-résumé-?")
BEYOND_LATIN1 = "Łódź-őrség"  # accents outside Latin-1
EMOJI = "launch-🚀"
MARKUP = "<img src=x onerror=alert(1)>"
MARKDOWN = "**bold** [link](http://x) `code` _it_"
LONG_CJK = "長い名前の要約プロンプトです日本語の説明付きの長い名前です"  # 30 double-width characters: cut to fit
NAMES = (CJK, BEYOND_LATIN1, EMOJI, MARKUP, MARKDOWN, LONG_CJK)


def record_named_runs() -> None:
    record_runs([(2 + i % 5, 9 + i, "gpt-4o", name, (), "lab", (i + 1) * 100_000_000, "completed")
                 for i, name in enumerate(NAMES)])


def _fonts_missing() -> list[str]:
    from promptlab_tui.reports.pdf_fonts import installed_fonts

    fonts = installed_fonts()
    wanted = {"DejaVuSans.ttf": "fonts-dejavu-core", "DroidSansFallbackFull.ttf": "fonts-droid-fallback",
              "Symbola_hint.ttf": "fonts-symbola"}
    return [package for name, package in wanted.items() if name not in fonts]


@pytest.mark.skipif(bool(_fonts_missing()), reason=f"needs the font packages {_fonts_missing()} (.ci/run installs them)")
def test_the_pdf_prints_names_in_any_script(capsys, tmp_path: Path):
    from pypdf import PdfReader

    record_named_runs()
    target = tmp_path / "r.pdf"
    assert main(["report", "--period", PERIOD, "--by", "prompt", "--format", "pdf", "-o", str(target)]) == 0
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(target.read_bytes())).pages)
    for name in (CJK, BEYOND_LATIN1, EMOJI):  # in the chart, the table and the recommendation, never garbled
        assert text.count(name) == 3, (name, text[:3000])
    assert "??" not in text


def test_without_a_unicode_font_the_pdf_still_renders_in_the_core_font():
    from fpdf import FPDF

    from promptlab_tui.reports.pdf_fonts import setup

    pdf = FPDF()
    fonts = setup(pdf, [CJK], fonts={})  # nothing installed
    assert fonts.family == "Helvetica" and fonts.text(CJK) == "??-résumé-?"
    pdf.add_page()
    pdf.set_font(fonts.family, "", 9)
    pdf.cell(0, 5, fonts.text(CJK))
    assert bytes(pdf.output()).startswith(b"%PDF")


def test_markdown_escapes_html_and_markdown_in_names(capsys):
    record_named_runs()
    assert main(["report", "--period", PERIOD, "--by", "prompt", "--format", "md"]) == 0
    text = capsys.readouterr().out
    assert "<img" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "**bold**" not in text and "\\*\\*bold\\*\\* \\[link\\](http://x) \\`code\\` \\_it\\_" in text
    assert CJK in text  # nothing else is touched
    rows = [line for line in text.splitlines() if line.startswith("| ") and "onerror" in line]
    assert rows and all(len(re.split(r"(?<!\\)\|", row)) == 11 for row in rows)  # 9 columns, no extra one


def test_the_table_fits_80_columns_with_double_width_names(capsys, monkeypatch):
    record_named_runs()
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["report", "--period", PERIOD, "--by", "prompt"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert max(cell_len(line) for line in lines) <= 80, [line for line in lines if cell_len(line) > 80]
    assert any(CJK in line for line in lines)  # fits whole
    cut = [line for line in lines if line.startswith(LONG_CJK[:5])]
    assert cut and all("…" in line and LONG_CJK not in line for line in cut)
    widths = {cell_len(line) for line in lines if any(line.startswith(n[:4]) for n in NAMES)}
    assert len(widths) == 1  # every row of the table ends in the same column
