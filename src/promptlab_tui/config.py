"""The user's config file (TOML): providers, retention, theme, time zone, defaults.

Budgets live in the database, not here. API keys are normally read from environment
variables at call time; a key is written to the file only if the user put it there.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from promptlab_tui.config_toml import dump_toml

PROVIDER_KINDS = ("openai", "anthropic", "openai-compatible")


class ConfigError(ValueError):
    """A config file problem, with the file, line and field and what was expected."""

    def __init__(self, path: Path | str, message: str, *, line: int | None = None, field: str | None = None):
        where = f"{path}" + (f", line {line}" if line else "")
        what = f"{field}: " if field else ""
        super().__init__(f"{where}: {what}{message}")
        self.path = Path(path)
        self.line = line
        self.field = field


@dataclass
class ProviderSettings:
    kind: str | None = None  # one of PROVIDER_KINDS; None = the built-in provider's, else openai-compatible
    base_url: str | None = None
    api_key_env: str | None = None  # name of the environment variable holding the key
    api_key: str | None = field(default=None, repr=False)  # only if the user wrote it in the file
    requires_key: bool | None = None  # False for local servers (Ollama, vLLM); None = the built-in default
    timeout_seconds: float | None = None
    max_tokens_param: str | None = None  # "max_tokens" or "max_completion_tokens"; None = per model family
    display_name: str | None = None


@dataclass
class RetrySettings:
    max_attempts: int = 3  # attempts in total for 429 / 5xx / overloaded, only before any token streamed
    base_delay_seconds: float = 1.0  # exponential backoff when the provider sends no Retry-After
    max_total_wait_seconds: float = 30.0  # give up (RateLimited) rather than wait longer than this in total


MAX_TIMEOUT_S = 3600.0  # NaN and inf fail every comparison, so each bound is written as `0 < x <= limit`
MAX_PROMPT_FILE_MB = 4096.0
# A retry storm against a 429 server is what unbounded values allow (852 requests in 40 s were seen).
_RETRY_BOUNDS = {"max_attempts": 10, "base_delay_seconds": 60.0, "max_total_wait_seconds": 600.0}


@dataclass
class AppConfig:
    providers: dict[str, ProviderSettings] = field(default_factory=dict)
    retention_days: int | None = None  # None = keep prompt and response text forever
    theme: str | None = None
    timezone: str | None = None  # IANA name; None = the system's
    default_model: str | None = None
    default_provider: str | None = None
    request_timeout_seconds: float = 60.0
    max_prompt_file_mb: float = 64.0  # a bigger prompt file is refused before it is read (`run`, `estimate`)
    wait_budget_seconds: float = 30.0  # a run refused only for runs in flight waits this long for them to settle
    count_online: bool = False  # ask the provider's count endpoint (sends the prompt to it): only when set
    allow_unpriced_models: bool = False  # hard mode runs a model without a price (uncounted) only when set
    retry: RetrySettings = field(default_factory=RetrySettings)
    extra: dict[str, Any] = field(default_factory=dict)  # other sections, kept as they are on save
    source: Path | None = field(default=None, compare=False)


_TOP_KEYS = {"retention_days", "theme", "timezone", "default_model", "default_provider", "request_timeout_seconds",
             "max_prompt_file_mb", "count_online", "wait_budget_seconds", "allow_unpriced_models"}
_PROVIDER_KEYS = {f for f in ProviderSettings.__dataclass_fields__}
_RETRY_KEYS = {f for f in RetrySettings.__dataclass_fields__}


def default_config_path() -> Path:
    from promptlab_tui.paths import app_paths

    return app_paths().config_file


def prompt_file_limit_bytes() -> int:
    """`max_prompt_file_mb` in bytes; the default when the config cannot be read (its error is reported elsewhere)."""
    try:
        megabytes = load_config().max_prompt_file_mb
    except ConfigError:
        megabytes = AppConfig.max_prompt_file_mb
    return int(megabytes * 1024 * 1024)


def load_config(path: str | os.PathLike[str] | None = None) -> AppConfig:
    """Read the config file; a missing file gives the defaults, a bad one a ConfigError."""
    file = Path(path) if path is not None else default_config_path()
    if not file.exists():
        return AppConfig(source=file)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(file, f"cannot read the file ({err})") from err
    try:
        data = tomllib.loads(text)
    except RecursionError as err:  # tomllib recurses per nesting level
        raise ConfigError(file, "not valid TOML (values nested too deeply)") from err
    except tomllib.TOMLDecodeError as err:
        match = re.search(r"line (\d+)", str(err))
        raise ConfigError(file, f"not valid TOML ({err})", line=int(match.group(1)) if match else None) from err
    return _config_from_dict(data, _Locator(file, text))


class _Locator:
    """Finds the line of a key in the raw text, so type errors can name it."""

    def __init__(self, path: Path, text: str):
        self.path = path
        self.lines = text.splitlines()

    def error(self, table: str | None, key: str, message: str) -> ConfigError:
        dotted = f"{table}.{key}" if table else key
        return ConfigError(self.path, message, line=self.line_of(table, key), field=dotted)

    def line_of(self, table: str | None, key: str) -> int | None:
        wanted = _table_name(table) if table else None
        current: str | None = None
        for number, raw in enumerate(self.lines, start=1):
            stripped = raw.strip()
            header = re.match(r"^\[([^\[\]]+)\]", stripped)
            if header:
                current = _table_name(header.group(1))
            elif current == wanted and re.match(rf'^"?{re.escape(key)}"?\s*=', stripped):
                return number
        return None


def _table_name(name: str) -> str:
    return name.replace('"', "").replace("'", "").replace(" ", "")


def _config_from_dict(data: dict[str, Any], where: _Locator) -> AppConfig:
    cfg = AppConfig(source=where.path)
    for key, value in data.items():
        if key == "providers":
            if not isinstance(value, dict):
                raise where.error(None, key, "expected a table of providers ([providers.NAME])")
            cfg.providers = {name: _provider(name, spec, where) for name, spec in value.items()}
        elif key == "retry":
            cfg.retry = _retry(value, where)
        elif key in _TOP_KEYS:
            _set_top(cfg, key, value, where)
        else:
            cfg.extra[key] = value  # owned by other parts of the app (or a newer version): kept, not judged
    return cfg


def _set_top(cfg: AppConfig, key: str, value: Any, where: _Locator) -> None:
    if key == "retention_days":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise where.error(None, key, f"expected a whole number of days >= 1 (or leave it out to keep everything), got {value!r}")
    elif key == "request_timeout_seconds":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= MAX_TIMEOUT_S:
            raise where.error(None, key, f"expected a number of seconds > 0 and at most {MAX_TIMEOUT_S:g}, "
                                         f"got {value!r}")
        value = float(value)
    elif key == "wait_budget_seconds":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= MAX_TIMEOUT_S:
            raise where.error(None, key, f"expected a number of seconds >= 0 and at most {MAX_TIMEOUT_S:g} "
                                         f"(0: refuse at once), got {value!r}")
        value = float(value)
    elif key == "max_prompt_file_mb":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= MAX_PROMPT_FILE_MB:
            raise where.error(None, key, f"expected a size in MB > 0 and at most {MAX_PROMPT_FILE_MB:g}, "
                                         f"got {value!r}")
        value = float(value)
    elif key in ("count_online", "allow_unpriced_models"):
        if not isinstance(value, bool):
            raise where.error(None, key, f"expected true or false, got {value!r}")
    elif not isinstance(value, str) or not value.strip():
        raise where.error(None, key, f"expected a non-empty string, got {value!r}")
    if key == "timezone":
        _check_timezone(value, where)
    setattr(cfg, key, value)


def _check_timezone(name: str, where: _Locator) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise where.error(None, "timezone", f"unknown time zone {name!r} (expected an IANA name such as 'Europe/Paris')") from err


def _provider(name: str, spec: Any, where: _Locator) -> ProviderSettings:
    table = f"providers.{name}"
    if not isinstance(spec, dict):
        raise where.error("providers", name, "expected a table ([providers.NAME] with kind, base_url, api_key_env)")
    unknown = set(spec) - _PROVIDER_KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise where.error(table, key, f"unknown setting (expected one of {', '.join(sorted(_PROVIDER_KEYS))})")
    settings = ProviderSettings()
    for key, value in spec.items():
        if key == "requires_key":
            if not isinstance(value, bool):
                raise where.error(table, key, f"expected true or false, got {value!r}")
        elif key == "timeout_seconds":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise where.error(table, key, f"expected a number of seconds > 0, got {value!r}")
            value = float(value)
        elif not isinstance(value, str):
            shown = f"a {type(value).__name__}" if key == "api_key" else repr(value)  # never echo a secret
            raise where.error(table, key, f"expected a string, got {shown}")
        if key == "kind" and value not in PROVIDER_KINDS:
            raise where.error(table, key, f"expected one of {', '.join(PROVIDER_KINDS)}, got {value!r}")
        if key == "max_tokens_param" and value not in ("max_tokens", "max_completion_tokens"):
            raise where.error(table, key, f"expected 'max_tokens' or 'max_completion_tokens', got {value!r}")
        if key == "api_key_env" and value and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
            # often the key itself pasted here: never echo it (it would reach error messages and history)
            raise where.error(table, key, "expected the name of an environment variable such as OPENAI_API_KEY "
                                          "(the key itself goes in that variable, or in api_key)")
        if key == "base_url" and not re.match(r"^https?://", value):
            raise where.error(table, key, f"expected an http(s) URL, got {value!r}")
        setattr(settings, key, value)
    return settings


def _retry(value: Any, where: _Locator) -> RetrySettings:
    if not isinstance(value, dict):
        raise where.error(None, "retry", "expected a table ([retry])")
    settings = RetrySettings()
    for key, item in value.items():
        if key not in _RETRY_KEYS:
            raise where.error("retry", key, f"unknown setting (expected one of {', '.join(sorted(_RETRY_KEYS))})")
        top = _RETRY_BOUNDS[key]
        if key == "max_attempts" and (isinstance(item, bool) or not isinstance(item, int) or not 1 <= item <= top):
            raise where.error("retry", key, f"expected a whole number >= 1 and at most {top:g}, got {item!r}")
        if isinstance(item, bool) or not isinstance(item, (int, float)) or not 0 <= item <= top:  # NaN fails too
            raise where.error("retry", key, f"expected a number of seconds >= 0 and at most {top:g}, got {item!r}")
        setattr(settings, key, item if key == "max_attempts" else float(item))
    return settings


# ---- writing ---------------------------------------------------------------------------------


def save_config(cfg: AppConfig, path: str | os.PathLike[str] | None = None) -> Path:
    """Write the config atomically (temp file + rename); private (0600) when it holds a key."""
    file = Path(path) if path is not None else (cfg.source or default_config_path())
    file.parent.mkdir(parents=True, exist_ok=True)
    data = _config_to_dict(cfg)
    holds_key = any(p.api_key for p in cfg.providers.values())
    tmp = file.with_name(file.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if holds_key else 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(dump_toml(data))
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, file)
    return file


def _config_to_dict(cfg: AppConfig) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key in ("default_model", "default_provider", "retention_days", "theme", "timezone"):
        if getattr(cfg, key) is not None:
            data[key] = getattr(cfg, key)
    if cfg.count_online:
        data["count_online"] = True
    if cfg.allow_unpriced_models:
        data["allow_unpriced_models"] = True
    if cfg.request_timeout_seconds != AppConfig.request_timeout_seconds:
        data["request_timeout_seconds"] = cfg.request_timeout_seconds
    if cfg.wait_budget_seconds != AppConfig.wait_budget_seconds:
        data["wait_budget_seconds"] = cfg.wait_budget_seconds
    if cfg.max_prompt_file_mb != AppConfig.max_prompt_file_mb:
        data["max_prompt_file_mb"] = cfg.max_prompt_file_mb
    if cfg.retry != RetrySettings():
        data["retry"] = dict(vars(cfg.retry))
    if cfg.providers:
        data["providers"] = {
            name: {k: v for k, v in vars(p).items() if v is not None}
            for name, p in cfg.providers.items()
        }
    for key, value in cfg.extra.items():
        data.setdefault(key, value)
    return data
