"""Fonts for the PDF report: a Unicode TrueType font from the system (DejaVu Sans or Noto Sans) so names in any
script print as typed, fallbacks for CJK (Droid Sans Fallback) and emoji (Symbola) added only when the report
needs them, and the PDF core font Helvetica (text folded to Latin-1) when no such font is installed.

Debian packages: fonts-dejavu-core, fonts-droid-fallback, fonts-symbola (.ci/run installs them when missing).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Callable, Iterable

if TYPE_CHECKING:
    from fpdf import FPDF

FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")
# (regular, bold, italic) file names, the first family found wins
FAMILIES = (("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf"),
            ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoSans-Italic.ttf"))
FALLBACKS = ("DroidSansFallbackFull.ttf", "Symbola_hint.ttf", "Symbola.ttf")  # CJK, then emoji and symbols
BODY = "report"
_FOLD = {"…": "...", "–": "-", "—": "-", "−": "-", "·": "-", "’": "'", "“": '"', "”": '"', "→": "->", "≤": "<=",
         "≥": ">="}


def latin1(text: str) -> str:
    """What the core font can print: common punctuation folded, anything else beyond Latin-1 as '?'."""
    text = "".join(_FOLD.get(ch, ch) for ch in text)
    return text.encode("latin-1", "replace").decode("latin-1")


@lru_cache(maxsize=1)
def installed_fonts() -> dict[str, str]:
    """File name -> path of the TrueType/OpenType fonts in the usual font folders (read once)."""
    found: dict[str, str] = {}
    for folder in FONT_DIRS:
        for root, _dirs, files in os.walk(os.path.expanduser(folder)):
            for name in files:
                if name.lower().endswith((".ttf", ".otf", ".ttc")):
                    found.setdefault(name, os.path.join(root, name))
    return found


@dataclass(frozen=True)
class PdfFonts:
    family: str  # what set_font takes: BODY, or "Helvetica" without a Unicode font
    text: Callable[[str], str]  # what a string must become before it is printed (identity, or latin1)


def setup(pdf: FPDF, texts: Iterable[str], fonts: dict[str, str] | None = None) -> PdfFonts:
    """Register the report's fonts on `pdf`; `texts` (every string the report prints) decide the fallback."""
    fonts = installed_fonts() if fonts is None else fonts
    family = next((names for names in FAMILIES if names[0] in fonts), None)
    if family is None:
        return PdfFonts("Helvetica", latin1)
    regular = fonts[family[0]]
    for style, name in zip(("", "B", "I"), family):
        pdf.add_font(BODY, style, fonts.get(name, regular))
    covered = pdf.fonts[BODY].cmap
    missing = {ord(ch) for text in texts for ch in text if ord(ch) not in covered and not ch.isspace()}
    added = []
    for number, name in enumerate(n for n in FALLBACKS if n in fonts):
        if not missing:  # loading a CJK font takes about a second: only when a name needs it
            break
        pdf.add_font(f"{BODY}-fallback-{number}", "", fonts[name])
        glyphs = pdf.fonts[f"{BODY}-fallback-{number}"].cmap
        if missing & glyphs.keys():
            added.append(f"{BODY}-fallback-{number}")
            missing -= glyphs.keys()
    if added:
        pdf.set_fallback_fonts(added, exact_match=False)
        _restate_font_per_cell(pdf)
    return PdfFonts(BODY, str)


def _restate_font_per_cell(pdf: FPDF) -> None:
    """fpdf2 2.8 loses track of the page's font after a cell that switched to a fallback font (the next cells'
    text came out in the wrong glyphs): every cell states its font again."""
    cell = pdf.cell

    def cell_with_its_font(*args, **kwargs):
        pdf.current_font_is_set_on_page = False
        return cell(*args, **kwargs)

    pdf.cell = cell_with_its_font
