"""Reading pricing.toml files: parse, validate every field with its line, merge the user's over the shipped.

Prices are read exactly: strings ("2.50") and integers as written; TOML floats through their
shortest decimal form (repr), which is exactly what was typed for any price written with up to
15 significant digits. Errors name the file, the line, the field path and what was expected.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from promptlab_tui.core.price_table import (
    PRICE_FIELDS,
    QUALITY_TIERS,
    SERVICE_TIERS,
    SHIPPED,
    LongContext,
    ModelPrice,
    PricingError,
    PricingIssue,
    PricingTable,
    ProviderInfo,
    ServiceTier,
)
from promptlab_tui.core.toml_positions import PathPart, TomlPositions, format_path

PROVIDER_KINDS = ("openai", "anthropic", "openai_compatible", "google")
_PROVIDER_FIELDS = {"display_name": str, "kind": str, "base_url": str, "api_key_env": str,
                    "free": bool, "route_prices": bool}
_MODEL_FIELDS = {"display_name": str, "api_model": str, "aliases": list, "context_window": int,
                 "max_output": int, "reasoning": bool, "legacy": bool, "quality": str,
                 "price": list}
_ENTRY_FIELDS = ("effective_from", "note", *PRICE_FIELDS, "long_context", *SERVICE_TIERS)
_EXPECTED_PRICE = 'a price in USD per million tokens, a decimal string like "2.50" (0 or more)'
_MAX_PRICE = Decimal(1_000_000)  # per million tokens ($1 a token; the priciest model is under $1,000/M)
_TYPE_WORDS = {str: "a string", bool: "true or false", int: "a whole number above 0", list: "a list"}
_TOML_ERROR_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)")


@dataclass
class _Source:
    """One file being read: its label for errors, its key positions, and the problems found."""

    path: Path
    label: str  # "shipped" or the user file path, stored on each price as its source
    positions: TomlPositions
    issues: list[PricingIssue] = field(default_factory=list)

    def problem(self, path: tuple[PathPart, ...], expected: str, got: Any = None) -> None:
        shown = None if got is None else _show(got)
        self.issues.append(PricingIssue(str(self.path), self.positions.line_of(path),
                                        format_path(path), expected, shown))


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _read(path: Path, label: str) -> tuple[dict[str, Any], _Source]:
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise PricingError([PricingIssue(str(path), None, "(file)", "a readable UTF-8 TOML file",
                                         reason)]) from error
    try:
        document = tomllib.loads(text)
    except RecursionError as error:  # tomllib recurses per nesting level
        raise PricingError([PricingIssue(str(path), None, "(TOML syntax)", "valid TOML",
                                         "arrays or tables nested too deeply")]) from error
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        match = _TOML_ERROR_AT.search(message)
        line, column = (int(match.group(1)), int(match.group(2))) if match else (None, None)
        if match is None and "(at end of document)" in message:  # e.g. an unterminated string
            line, column = max(1, len(text.splitlines())), len(text.splitlines()[-1]) + 1 if text.strip() else 1
        reason = _TOML_ERROR_AT.sub("", message).replace(" (at end of document)", "")
        raise PricingError([PricingIssue(str(path), line, "(TOML syntax)", "valid TOML", reason,
                                         column=column)]) from error
    return document, _Source(path, label, TomlPositions(text))


# -- field checks ---------------------------------------------------------------------------------

def _price(value: Any, src: _Source, path: tuple[PathPart, ...]) -> Decimal | None:
    number: Decimal | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip().lstrip("$"))
        except InvalidOperation:
            number = None
    if number is None or not number.is_finite() or number < 0:
        src.problem(path, _EXPECTED_PRICE, value)
        return None
    if number > _MAX_PRICE:
        src.problem(path, f"{_EXPECTED_PRICE[:-1]}, at most {_MAX_PRICE:,})", value)
        return None
    return number


def _date(value: Any, src: _Source, path: tuple[PathPart, ...]) -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    src.problem(path, "a date like 2025-06-10 (the day this price starts, UTC)", value)
    return None


def _typed(value: Any, kind: type, src: _Source, path: tuple[PathPart, ...]) -> Any:
    ok = isinstance(value, kind) and not (kind is int and (isinstance(value, bool) or value <= 0))
    if kind is list and ok and path[-1] == "aliases":
        ok = all(isinstance(item, str) and item.strip() for item in value)
        if not ok:
            src.problem(path, "a list of model names (strings)", value)
            return None
    if ok and path[-1] == "quality" and value not in QUALITY_TIERS:
        src.problem(path, "a quality tier: " + ", ".join(f'"{t}"' for t in QUALITY_TIERS), value)
        return None
    if not ok:
        src.problem(path, _TYPE_WORDS[kind], value)
        return None
    return value


def _checked_fields(table: dict[str, Any], kinds: dict[str, type], src: _Source,
                    path: tuple[PathPart, ...]) -> dict[str, Any]:
    """The plain fields of a provider or model table that are valid (invalid ones are reported)."""
    checked = {name: _typed(table[name], kind, src, (*path, name))
               for name, kind in kinds.items() if name in table and name != "price"}
    return {name: value for name, value in checked.items() if value is not None}


def _table(value: Any, src: _Source, path: tuple[PathPart, ...], allowed: tuple[str, ...] | None,
           what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        src.problem(path, what, value)
        return {}
    if allowed is not None:
        for key in value:
            if key not in allowed:
                src.problem((*path, key), "one of: " + ", ".join(allowed), key)
    return value


def _prices_of(table: dict[str, Any], src: _Source, path: tuple[PathPart, ...]) -> dict[str, Decimal]:
    prices = {}
    for name in PRICE_FIELDS:
        if name in table and (number := _price(table[name], src, (*path, name))) is not None:
            prices[name] = number
    return prices


def _long_context(value: Any, src: _Source, path: tuple[PathPart, ...]) -> LongContext | None:
    table = _table(value, src, path, ("above", *PRICE_FIELDS),
                   "a table like { above = 200_000, input = \"6.00\", output = \"22.50\" }")
    if not table:
        return None
    above = _typed(table["above"], int, src, (*path, "above")) if "above" in table else None
    if "above" not in table:
        src.problem((*path, "above"), "the input-token threshold above which these prices apply")
    prices = _prices_of(table, src, path)
    return LongContext(above=above, **prices) if above else None


def _service_tier(name: str, value: Any, src: _Source, path: tuple[PathPart, ...]) -> ServiceTier | None:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        multiplier = _price(value, src, path)
        return ServiceTier(name, multiplier=multiplier) if multiplier is not None else None
    table = _table(value, src, path, (*PRICE_FIELDS, "long_context"),
                   'a multiplier like "0.5", or a table of prices like { input = "1.25", output = "5.00" }')
    if not table:
        return None
    lc = _long_context(table["long_context"], src, (*path, "long_context")) if "long_context" in table else None
    return ServiceTier(name, prices=_prices_of(table, src, path), long_context=lc)


def _entry(value: Any, src: _Source, path: tuple[PathPart, ...]) -> dict[str, Any]:
    """One [[...price]] entry, checked; only the fields it gives (plus its line's source)."""
    entry: dict[str, Any] = {"_source": src, "_path": path}
    if not isinstance(value, dict):
        src.problem(path, "a [[...price]] table with effective_from, input and output", value)
        return entry
    table = _table(value, src, path, _ENTRY_FIELDS, "a [[...price]] table")
    if "effective_from" not in table:
        src.problem((*path, "effective_from"), "a date like 2025-06-10 (the day this price starts, UTC)")
    else:
        entry["effective_from"] = _date(table["effective_from"], src, (*path, "effective_from"))
    if "note" in table:
        entry["note"] = _typed(table["note"], str, src, (*path, "note"))
    entry.update(_prices_of(table, src, path))
    if "long_context" in table:
        entry["long_context"] = _long_context(table["long_context"], src, (*path, "long_context"))
    for tier in SERVICE_TIERS:
        if tier in table:
            entry[tier] = _service_tier(tier, table[tier], src, (*path, tier))
    return entry


# -- documents ------------------------------------------------------------------------------------

@dataclass
class _Merged:
    providers: dict[str, dict[str, Any]] = field(default_factory=dict)
    models: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    entries: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)


def _apply(document: dict[str, Any], src: _Source, merged: _Merged) -> None:
    _table(document, src, (), ("schema_version", "providers", "models"), "a pricing table")
    if "schema_version" in document and document["schema_version"] != 1:
        src.problem(("schema_version",), "1 (the only schema this version of promptlab reads)",
                    document["schema_version"])
    providers = _table(document.get("providers", {}), src, ("providers",), None, "a table of providers")
    for name, value in providers.items():
        path: tuple[PathPart, ...] = ("providers", name)
        table = _table(value, src, path, tuple(_PROVIDER_FIELDS), "a [providers.NAME] table")
        fields = _checked_fields(table, _PROVIDER_FIELDS, src, path)
        if "kind" in fields and fields["kind"] not in PROVIDER_KINDS:
            src.problem((*path, "kind"), "one of: " + ", ".join(PROVIDER_KINDS), fields["kind"])
        if fields.get("api_key_env") and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", fields["api_key_env"]):
            src.problem((*path, "api_key_env"), "the name of an environment variable such as OPENAI_API_KEY "
                        "(not the key itself, which is never shown)")
        if name not in merged.providers and "kind" not in table:
            src.problem((*path, "kind"), "one of: " + ", ".join(PROVIDER_KINDS))
        merged.providers.setdefault(name, {"_source": SHIPPED}).update(fields, _source=src.label)
    models = _table(document.get("models", {}), src, ("models",), None, "a table of providers' models")
    for provider, provider_models in models.items():
        if provider not in merged.providers:
            src.problem(("models", provider), "a provider defined under [providers]", provider)
        for model, value in _table(provider_models, src, ("models", provider), None,
                                   f"a table of {provider}'s models").items():
            _apply_model(provider, model, value, src, merged)


def _apply_model(provider: str, model: str, value: Any, src: _Source, merged: _Merged) -> None:
    path: tuple[PathPart, ...] = ("models", provider, model)
    table = _table(value, src, path, tuple(_MODEL_FIELDS), f'a [models.{provider}."MODEL"] table')
    key = (provider, model)
    fields = _checked_fields(table, _MODEL_FIELDS, src, path)
    merged.models.setdefault(key, {}).update(fields)
    entries = merged.entries.setdefault(key, [])
    raw_entries = table.get("price", [])
    if not isinstance(raw_entries, list):
        src.problem((*path, "price"), f'[[models.{provider}."{model}".price]] entries', raw_entries)
        raw_entries = []
    if not entries and not raw_entries:
        src.problem((*path, "price"), f'at least one [[models.{provider}."{model}".price]] entry')
    seen: set[date] = set()
    for index, raw in enumerate(raw_entries):
        entry = _entry(raw, src, (*path, "price", index))
        day = entry.get("effective_from")
        if day in seen:
            src.problem((*path, "price", index, "effective_from"),
                        "a date not used by another entry of this model", day)
        seen.add(day)
        same_day = next((old for old in entries if day and old.get("effective_from") == day), None)
        if same_day is not None:  # the user's file amends the entry of that date
            same_day.update({k: v for k, v in entry.items() if v is not None and not k.startswith("_")})
            same_day["_touched"] = src.label
        else:
            entry["_touched"] = src.label if src.label != SHIPPED else None
            entries.append(entry)


def _build(merged: _Merged, sources: list[_Source]) -> PricingTable:
    providers = {name: ProviderInfo(name=name, display_name=f.get("display_name") or name,
                                    kind=f.get("kind") or "openai_compatible", base_url=f.get("base_url"),
                                    api_key_env=f.get("api_key_env") or None, free=bool(f.get("free")),
                                    route_prices=bool(f.get("route_prices")), source=f["_source"])
                 for name, f in merged.providers.items()}
    prices: list[ModelPrice] = []
    for (provider, model), entries in merged.entries.items():
        info = merged.models.get((provider, model), {})
        entries = sorted((e for e in entries if e.get("effective_from")), key=lambda e: e["effective_from"])
        carried: dict[str, Decimal] = {}
        for position, entry in enumerate(entries):
            carried.update({name: entry[name] for name in PRICE_FIELDS if entry.get(name) is not None})
            src: _Source = entry["_source"]
            missing = [name for name in ("input", "output") if name not in carried]
            for name in missing:
                src.problem((*entry["_path"], name), _EXPECTED_PRICE)
            if missing:
                continue
            touched = entry.get("_touched")
            day: date = entry["effective_from"]
            following = entries[position + 1]["effective_from"] if position + 1 < len(entries) else None
            prices.append(ModelPrice(
                provider=provider, model=model, display_name=info.get("display_name") or model,
                effective_from=day, effective_until=following,
                version=f"{provider}/{model}@{day.isoformat()}" + ("+user" if touched else ""),
                source=touched or SHIPPED, aliases=tuple(info.get("aliases") or ()),
                api_model=info.get("api_model"), context_window=info.get("context_window"),
                max_output=info.get("max_output"), reasoning=bool(info.get("reasoning")),
                legacy=bool(info.get("legacy")), note=entry.get("note"), quality=info.get("quality"),
                long_context=entry.get("long_context"),
                service_tiers={t: entry[t] for t in SERVICE_TIERS if entry.get(t) is not None},
                **carried,
            ))
    issues = [issue for src in sources for issue in src.issues]
    if issues:
        raise PricingError(issues)
    return PricingTable(providers, prices, sources=[str(src.path) for src in sources])


def load_table(shipped: str | Path | None = None, user: str | Path | None = None,
               include_user: bool = True) -> PricingTable:
    """Shipped table (default: the one in the package) merged with the user's (default: config dir)."""
    from promptlab_tui.paths import app_paths, shipped_file

    shipped_path = Path(shipped) if shipped is not None else shipped_file("pricing.toml")
    user_path = Path(user) if user is not None else app_paths().user_pricing
    merged = _Merged()
    sources = []
    document, src = _read(shipped_path, SHIPPED)
    _apply(document, src, merged)
    sources.append(src)
    if include_user and (user is not None or user_path.exists()):
        document, user_src = _read(user_path, str(user_path))
        _apply(document, user_src, merged)
        sources.append(user_src)
    return _build(merged, sources)
