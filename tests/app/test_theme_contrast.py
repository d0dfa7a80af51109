"""The shipped themes' text meets WCAG 2.x AA contrast (4.5:1 for normal text) on the backgrounds it is drawn on.

Computed from the theme files themselves with the WCAG relative-luminance formula, for every pair the app
draws: body text on the background, surface and panel; the primary / accent / warning / error / success
colours used as text (titles, money, alerts, chart labels) on the background and surface.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

THEMES = sorted((Path(__file__).resolve().parents[2] / "themes").glob("*.toml"))
AA_NORMAL = 4.5


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(hex_color: str) -> float:
    text = hex_color.strip().lstrip("#")[:6]
    r, g, b = (int(text[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(foreground: str, background: str) -> float:
    a, b = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def test_the_formula_matches_known_wcag_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic just-fails grey
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


def test_there_are_themes_to_check():
    assert {path.stem for path in THEMES} >= {"promptlab-dusk", "promptlab-paper"}


@pytest.mark.parametrize("path", THEMES, ids=lambda p: p.stem)
def test_theme_text_meets_wcag_aa(path: Path):
    theme = tomllib.loads(path.read_text(encoding="utf-8"))
    backgrounds = {name: theme[name] for name in ("background", "surface", "panel") if name in theme}
    failures = []
    for surface, color in backgrounds.items():
        ratio = contrast(theme["foreground"], color)
        if ratio < AA_NORMAL:
            failures.append(f"foreground on {surface}: {ratio:.2f}")
    for role in ("primary", "accent", "warning", "error", "success", "secondary"):
        if role not in theme:
            continue
        for surface in ("background", "surface"):
            ratio = contrast(theme[role], backgrounds[surface])
            if ratio < AA_NORMAL:
                failures.append(f"{role} on {surface}: {ratio:.2f}")
    for name, value in theme.get("variables", {}).items():
        if name.endswith("-foreground") and "%" not in value:
            ratio = contrast(value, backgrounds["panel"])  # footer keys are drawn on the panel
            if ratio < AA_NORMAL:
                failures.append(f"{name} on panel: {ratio:.2f}")
    assert not failures, f"{path.name}: below WCAG AA {AA_NORMAL}:1 — " + "; ".join(failures)
