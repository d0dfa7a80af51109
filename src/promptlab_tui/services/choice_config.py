"""config.toml keys of issue 11, read from the config's kept-aside keys: `confirm_above` (USD) and `cache`.

    confirm_above = 0.50   # ask before a run whose expected cost is above $0.50 (the CLI needs --yes without a terminal)
    cache = true           # serve identical requests from the history (opt-in; --no-cache bypasses)
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from promptlab_tui.config import AppConfig


def _error(config: AppConfig, key: str, expected: str, got: object) -> Exception:
    from promptlab_tui.config import ConfigError

    line = None
    if config.source is not None and config.source.exists():
        for number, text in enumerate(config.source.read_text(encoding="utf-8").splitlines(), start=1):
            if re.match(rf"^\s*{key}\s*=", text):
                line = number
                break
    return ConfigError(config.source or "config.toml", f"expected {expected}, got {got!r}", line=line, field=key)


def confirm_above_nanos(config: AppConfig) -> int | None:
    """The expected cost above which a run asks first; None: never ask. Raises ConfigError for a bad value."""
    from promptlab_tui.core.prompt_choice import usd_nanos

    value = config.extra.get("confirm_above")
    if value is None:
        return None
    nanos = usd_nanos(value)
    if nanos is None:
        raise _error(config, "confirm_above", "an amount in USD such as 0.50", value)
    return nanos


def cache_enabled(config: AppConfig) -> bool:
    value = config.extra.get("cache", False)
    if not isinstance(value, bool):
        raise _error(config, "cache", "true or false", value)
    return value
