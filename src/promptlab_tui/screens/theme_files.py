"""Theme files (TOML) from the project's themes/ folder and the user's config folder, as Textual Themes."""

from __future__ import annotations

import tomllib
from pathlib import Path

from textual.theme import Theme

THEME_FIELDS = set(Theme.__dataclass_fields__)


def theme_dirs() -> list[Path]:
    from promptlab_tui.paths import app_paths, shipped_file

    return [shipped_file("themes"), app_paths().config_dir / "themes"]


def load_theme_file(path: Path) -> Theme:
    """A theme TOML file -> Theme; raises ValueError naming the file and the field."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ValueError(f"{path}: {error}") from error
    unknown = set(data) - THEME_FIELDS
    if unknown:
        raise ValueError(f"{path}: unknown field(s) {', '.join(sorted(unknown))}; expected {', '.join(sorted(THEME_FIELDS))}")
    for field in ("name", "primary"):
        if not isinstance(data.get(field), str):
            raise ValueError(f"{path}: field {field!r}: expected a string")
    try:
        return Theme(**data)
    except Exception as error:  # a bad colour string: say which file
        raise ValueError(f"{path}: {error}") from error


def load_project_themes(problems: list[str]) -> list[Theme]:
    themes: list[Theme] = []
    for folder in theme_dirs():
        if folder.is_dir():
            for path in sorted(folder.glob("*.toml")):
                try:
                    themes.append(load_theme_file(path))
                except ValueError as error:
                    problems.append(f"Theme skipped: {error}")
    return themes
