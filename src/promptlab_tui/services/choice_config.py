"""config.toml keys of issue 11, read from the config's kept-aside keys: `confirm_above` (USD), `cache`, and
the defaults of `model = "auto"`: `quality` and `max_cost` (USD).

    confirm_above = 0.50   # ask before a run whose expected cost is above $0.50 (the CLI needs --yes without a terminal)
    cache = true           # serve identical requests from the history (opt-in; --no-cache bypasses)
    quality = "high"       # model "auto": the least tier when the prompt (or --quality) does not say
    max_cost = 0.05        # model "auto": the per-run limit the pick must fit when the prompt (or --max-cost) has none
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


def _usd_setting(config: AppConfig | None, key: str, example: str) -> int | None:
    """A USD amount from config.toml in nanos; None when not set. Raises ConfigError for a bad value."""
    from promptlab_tui.core.prompt_choice import usd_nanos

    value = config.extra.get(key) if config is not None else None
    if value is None:
        return None
    nanos = usd_nanos(value)
    if nanos is None:
        raise _error(config, key, f"an amount in USD such as {example}", value)
    return nanos


def confirm_above_nanos(config: AppConfig) -> int | None:
    """The expected cost above which a run asks first; None: never ask. Raises ConfigError for a bad value."""
    return _usd_setting(config, "confirm_above", "0.50")


def auto_quality(config: AppConfig | None) -> str | None:
    """The config's `quality` for model "auto"; None when not set. Raises ConfigError for a bad value."""
    value = config.extra.get("quality") if config is not None else None
    if value is not None and value not in ("low", "medium", "high"):
        raise _error(config, "quality", 'a quality tier: "low", "medium" or "high"', value)
    return value


def auto_max_cost_nanos(config: AppConfig | None) -> int | None:
    """The config's `max_cost` (USD) for model "auto"; None when not set. Raises ConfigError for a bad value."""
    return _usd_setting(config, "max_cost", "0.05")


def cache_enabled(config: AppConfig) -> bool:
    value = config.extra.get("cache", False)
    if not isinstance(value, bool):
        raise _error(config, "cache", "true or false", value)
    return value
