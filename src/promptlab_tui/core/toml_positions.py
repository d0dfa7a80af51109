"""Line numbers of keys in a TOML text, for error messages (tomllib reports none for valid files).

Only called once a file has parsed, so the scanner can trust the syntax and stay small: it follows
table headers, arrays of tables and `key = value` lines, skipping multi-line strings and arrays.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

PathPart = str | int

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def format_path(path: Sequence[PathPart]) -> str:
    """('models', 'openai', 'gpt-4o', 'price', 0, 'input') -> models.openai."gpt-4o".price[0].input"""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            shown = part if _BARE_KEY.fullmatch(part) else '"' + part.replace('"', '\\"') + '"'
            text += ("." if text else "") + shown
    return text


def _unquote(quoted: str) -> str:
    try:
        return str(json.loads(quoted))  # TOML basic-string escapes are JSON's, plus rare \U and \e
    except ValueError:
        return quoted[1:-1]


def _parse_keys(text: str, start: int) -> tuple[list[str], int]:
    """Dotted key at `start` -> (parts, index after it and following spaces)."""
    parts: list[str] = []
    i = start
    while True:
        while i < len(text) and text[i] in " \t":
            i += 1
        if i < len(text) and text[i] == '"':
            j = i + 1
            while j < len(text) and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            parts.append(_unquote(text[i : j + 1]))
            i = j + 1
        elif i < len(text) and text[i] == "'":
            j = text.find("'", i + 1)
            if j < 0:  # unterminated literal key: not a key we can place
                return parts, i
            parts.append(text[i + 1 : j])
            i = j + 1
        else:
            match = _BARE_KEY.match(text, i)
            if not match:
                return parts, i
            parts.append(match.group())
            i = match.end()
        while i < len(text) and text[i] in " \t":
            i += 1
        if i < len(text) and text[i] == ".":
            i += 1
            continue
        return parts, i


def _value_state(value: str, depth: int, in_string: str | None) -> tuple[int, str | None]:
    """Track bracket depth and open multi-line strings through one line of a value."""
    i = 0
    while i < len(value):
        if in_string:
            if value.startswith(in_string, i):
                i += len(in_string)
                in_string = None
                continue
            i += 2 if (value[i] == "\\" and in_string == '"""') else 1
            continue
        char = value[i]
        if value.startswith('"""', i) or value.startswith("'''", i):
            in_string = value[i : i + 3]
            i += 3
            continue
        if char in "\"'":
            end = i + 1
            while end < len(value) and value[end] != char:
                end += 2 if (value[end] == "\\" and char == '"') else 1
            i = end + 1
            continue
        if char == "#":
            break
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        i += 1
    return depth, in_string


class TomlPositions:
    """Maps key paths (with array-of-table indices) to 1-based line numbers."""

    def __init__(self, text: str) -> None:
        self.lines: dict[tuple[PathPart, ...], int] = {}
        self._arrays: dict[tuple[PathPart, ...], int] = {}
        table: tuple[PathPart, ...] = ()
        depth, in_string = 0, None
        for number, line in enumerate(text.split("\n"), start=1):
            if depth > 0 or in_string:  # inside a multi-line array or string
                depth, in_string = _value_state(line, depth, in_string)
                continue
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            if stripped.startswith("[["):
                keys, _ = _parse_keys(stripped, 2)
                path = self._resolve(keys)
                self._arrays[path] = self._arrays.get(path, 0) + 1
                table = (*path, self._arrays[path] - 1)
                self.lines.setdefault(path, number)
                self.lines[table] = number
                continue
            if stripped.startswith("["):
                keys, _ = _parse_keys(stripped, 1)
                table = self._resolve(keys)
                self.lines.setdefault(table, number)
                continue
            keys, end = _parse_keys(stripped, 0)
            if keys and end < len(stripped) and stripped[end] == "=":
                for size in range(1, len(keys) + 1):
                    self.lines.setdefault((*table, *keys[:size]), number)
                depth, in_string = _value_state(stripped[end + 1 :], 0, None)

    def _resolve(self, keys: Sequence[str]) -> tuple[PathPart, ...]:
        """A header's path, with the current index of every array of tables along it."""
        path: list[PathPart] = []
        for position, key in enumerate(keys):
            path.append(key)
            if position < len(keys) - 1 and tuple(path) in self._arrays:
                path.append(self._arrays[tuple(path)] - 1)
        return tuple(path)

    def line_of(self, path: Sequence[PathPart]) -> int | None:
        """The line of `path`, or of its nearest enclosing key or table that appears in the text."""
        for size in range(len(path), 0, -1):
            line = self.lines.get(tuple(path[:size]))
            if line is not None:
                return line
        return None
