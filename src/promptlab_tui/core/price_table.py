"""Prices as data: the table's entries, providers and errors, and which entry applies to a model on a day.

Split from pricing.py so that cost arithmetic (pricing_cost) and the file reader (pricing_load) build on
these classes without importing each other; pricing.py gathers all three for callers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType

PRICE_FIELDS = ("input", "output", "cached_input", "cache_write", "cache_write_1h")
SERVICE_TIERS = ("batch", "flex", "priority")
SHIPPED = "shipped"
QUALITY_TIERS = ("low", "medium", "high")  # weakest first: `model = "auto"` takes at least the asked tier


def normalise_tier(tier: str | None) -> str:
    """OpenAI reports "default"/"auto" for the standard tier; any name we do not price is standard too."""
    name = (tier or "standard").strip().lower()
    return name if name in SERVICE_TIERS else "standard"


# Snapshot suffixes that resolve to the family: -2024-08-06, -20241022, @20250514 (Vertex).
_SNAPSHOT_SUFFIX = re.compile(r"(?:-\d{4}-\d{2}-\d{2}|-20\d{6}|@20\d{6}|@\d{3})$")


@dataclass(frozen=True)
class PricingIssue:
    """One problem in a pricing file: where it is and what was expected there."""

    file: str
    line: int | None
    field: str
    expected: str
    got: str | None = None
    column: int | None = None  # only for TOML syntax errors

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        where += f":{self.column}" if self.line and self.column else ""
        got = f", got {self.got}" if self.got is not None else ""
        return f"{where}: {self.field}: expected {self.expected}{got}"


class PricingError(Exception):
    """A pricing file was refused; `.issues` lists every problem, the first one is also on the error."""

    def __init__(self, issues: list[PricingIssue]) -> None:
        self.issues = issues
        first = issues[0]
        self.file, self.line, self.field, self.expected = first.file, first.line, first.field, first.expected
        self.column = first.column
        shown = "\n".join(str(issue) for issue in issues[:10])
        more = f"\n(and {len(issues) - 10} more)" if len(issues) > 10 else ""
        super().__init__(shown + more)


@dataclass(frozen=True)
class ProviderInfo:
    name: str
    display_name: str
    kind: str  # "openai" | "anthropic" | "openai_compatible" | "google"
    base_url: str | None = None
    api_key_env: str | None = None  # None or "": no key needed
    free: bool = False  # every model of this provider costs nothing (local servers)
    route_prices: bool = False  # "vendor/model" priced as vendor's model (OpenRouter)
    source: str = SHIPPED


@dataclass(frozen=True)
class LongContext:
    """Prices for requests whose total input tokens are ABOVE `above`; None = the standard price."""

    above: int
    input: Decimal | None = None
    output: Decimal | None = None
    cached_input: Decimal | None = None
    cache_write: Decimal | None = None
    cache_write_1h: Decimal | None = None


@dataclass(frozen=True)
class ServiceTier:
    """batch / flex / priority: a multiplier of every price, or explicit prices (None = standard)."""

    name: str
    multiplier: Decimal | None = None
    prices: Mapping[str, Decimal] = field(default_factory=dict)
    long_context: LongContext | None = None


@dataclass(frozen=True)
class ModelPrice:
    """One dated price of one model, as merged from the shipped and the user's pricing files."""

    provider: str
    model: str
    display_name: str
    input: Decimal
    output: Decimal
    effective_from: date
    version: str  # "openai/gpt-4o@2024-08-06" (+ "+user" when the user's file changed it)
    source: str = SHIPPED  # "shipped", or the path of the user's pricing file
    aliases: tuple[str, ...] = ()
    api_model: str | None = None
    cached_input: Decimal | None = None
    cache_write: Decimal | None = None
    cache_write_1h: Decimal | None = None
    long_context: LongContext | None = None
    service_tiers: Mapping[str, ServiceTier] = field(default_factory=dict)
    context_window: int | None = None
    max_output: int | None = None
    effective_until: date | None = None  # the next entry's effective_from
    reasoning: bool = False
    legacy: bool = False
    note: str | None = None
    quality: str | None = None  # one of QUALITY_TIERS; None: never picked by `model = "auto"`

    @property
    def request_model(self) -> str:
        """The id to send to the provider's API."""
        return self.api_model or self.model

    @property
    def is_free(self) -> bool:
        return all(getattr(self, name) in (None, Decimal(0)) for name in PRICE_FIELDS)

    def has_tier(self, tier: str) -> bool:
        return normalise_tier(tier) == "standard" or normalise_tier(tier) in self.service_tiers


def split_version(version: str) -> tuple[str, str]:
    """'openai/gpt-4o@2024-08-06#batch' -> ('openai/gpt-4o@2024-08-06', 'batch')."""
    base, _, tier = version.partition("#")
    return base, tier or "standard"


class PricingTable:
    """All providers and dated model prices; resolves names (aliases, snapshots, prefixes) to a price."""

    def __init__(self, providers: Mapping[str, ProviderInfo], prices: Iterable[ModelPrice],
                 sources: Iterable[str] = ()) -> None:
        self._providers = dict(providers)
        self._history: dict[tuple[str, str], list[ModelPrice]] = {}
        for price in prices:
            self._history.setdefault((price.provider, price.model), []).append(price)
        for entries in self._history.values():
            entries.sort(key=lambda entry: entry.effective_from)
        self._by_version = {p.version: p for entries in self._history.values() for p in entries}
        self._names: dict[str, list[tuple[str, str]]] = {}  # lower-cased name -> [(provider, model)]
        for key in self._history:  # a model's own name wins over another model's alias
            self._names.setdefault(key[1].lower(), []).append(key)
        for key, entries in self._history.items():
            latest = entries[-1]
            for name in (*latest.aliases, latest.api_model or ""):
                if name and key not in self._names.setdefault(name.lower(), []):
                    self._names[name.lower()].append(key)
        self.sources = tuple(sources)

    # -- providers ------------------------------------------------------------------------------
    def providers(self) -> Mapping[str, ProviderInfo]:
        return MappingProxyType(self._providers)

    def provider(self, name: str) -> ProviderInfo | None:
        return self._providers.get(name)

    # -- models ---------------------------------------------------------------------------------
    def models(self, at: datetime | date | None = None, include_legacy: bool = True) -> list[ModelPrice]:
        """The price in effect at `at` (default now) of every model, in file order."""
        chosen = (_pick(entries, _as_date(at)) for entries in self._history.values())
        return [price for price in chosen if include_legacy or not price.legacy]

    def history(self, model: str, provider: str | None = None) -> list[ModelPrice]:
        """Every dated price of the model `model` resolves to, oldest first ([] when unknown)."""
        key = self._find(model, provider)
        return list(self._history.get(key, ())) if key else []

    def by_version(self, version: str) -> ModelPrice | None:
        """The exact price a past run was costed at (a '#tier' suffix is ignored)."""
        base = split_version(version)[0]
        provider, _, rest = base.partition("/")
        info = self._providers.get(provider)
        if rest == "*@free" and info is not None and info.free:
            return self._free_price(info, "*")
        return self._by_version.get(base)

    def resolve(self, model: str, provider: str | None = None,
                at: datetime | date | None = None) -> ModelPrice | None:
        """The price of `model` effective at `at` (default: now); None when the model is unknown.

        Tries, case-insensitively: the name and aliases; a known provider prefix ("openai/gpt-4o");
        the name without a snapshot date ("gpt-4o-2024-11-20" -> "gpt-4o"). A free provider
        (Ollama) prices any model at 0; an OpenRouter-style provider falls back to the vendor's price.
        """
        key = self._find(model, provider)
        if key is not None:
            return _pick(self._history[key], _as_date(at))
        prefix, slash, rest = model.strip().partition("/")
        if provider is None and slash and prefix.lower() in self._providers:
            provider, model = prefix.lower(), rest
        info = self._providers.get(provider or "")
        if info is not None and info.free:
            return self._free_price(info, model.strip())
        return None

    def _find(self, model: str, provider: str | None) -> tuple[str, str] | None:
        name = model.strip()
        prefix, slash, rest = name.partition("/")
        routed = prefix.lower() if slash and prefix.lower() in self._providers else None
        if routed and provider in (None, routed) and (found := self._find(rest, routed)):
            return found  # "openai/gpt-4o", "openrouter/meta-llama/llama-3.1-8b-instruct"
        if found := self._lookup(name, provider):
            return found
        info = self._providers.get(provider or "")
        if routed and routed != provider and info is not None and info.route_prices:
            return self._find(rest, routed)  # OpenRouter's "openai/gpt-4o" at OpenAI's price
        return None

    def _lookup(self, name: str, provider: str | None) -> tuple[str, str] | None:
        for candidate in _candidate_names(name):
            keys = self._names.get(candidate.lower(), [])
            if provider is not None:
                keys = [key for key in keys if key[0] == provider]
            if keys:
                return keys[0]
        return None

    def _free_price(self, info: ProviderInfo, model: str) -> ModelPrice:
        return ModelPrice(provider=info.name, model=model, display_name=f"{model} ({info.display_name})",
                          input=Decimal(0), output=Decimal(0), effective_from=date(1970, 1, 1),
                          version=f"{info.name}/*@free", source=info.source)


def _candidate_names(name: str) -> list[str]:
    names = [name]
    if name.lower().startswith("models/"):  # Gemini's API names models "models/gemini-2.5-pro"
        names.append(name[len("models/"):])
    for known in list(names):
        stripped = _SNAPSHOT_SUFFIX.sub("", known)
        if stripped != known:
            names.append(stripped)
        if known.endswith("-latest"):
            names.append(known[: -len("-latest")])
    return names


def _as_date(at: datetime | date | None) -> date:
    if at is None:
        return datetime.now(timezone.utc).date()
    if isinstance(at, datetime):
        return (at.astimezone(timezone.utc) if at.tzinfo else at).date()
    return at


def _pick(entries: list[ModelPrice], day: date) -> ModelPrice:
    """The last entry that started on or before `day`; before the first one, the first one."""
    chosen = entries[0]
    for entry in entries:
        if entry.effective_from <= day:
            chosen = entry
    return chosen
