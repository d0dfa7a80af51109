"""JSON-shaped values (a request's tools, tool choice, response format) written as TOML front matter.

Inline tables and arrays on one line each: what `tomllib` reads back equal. TOML has no null, so a
value holding one cannot be written (the caller says to save as .json instead).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


class NotTomlable(ValueError):
    """A value TOML cannot hold (null, NaN or infinity)."""


def toml_string(value: str) -> str:
    """A basic TOML string on one line (JSON's escapes are TOML's, except \\/ which JSON never writes)."""
    return json.dumps(value, ensure_ascii=False)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NotTomlable(f"{value} cannot be written in TOML")
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise NotTomlable(f"{json.dumps(value)} cannot be written in TOML")


def toml_key(key: Any) -> str:
    text = str(key)
    return text if _BARE_KEY.match(text) else toml_string(text)
