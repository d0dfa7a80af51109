"""`promptlab prices [MODEL]`: the price table as the app sees it (shipped + user file), with sources."""

from __future__ import annotations

import argparse
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from promptlab_tui.cli.errors import EXIT_BAD_INPUT, CliError

if TYPE_CHECKING:
    from promptlab_tui.core.pricing import LongContext, ModelPrice, PricingTable

PRICE_COLUMNS = ("input", "output", "cached_input", "cache_write", "cache_write_1h")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "prices", help="the price table, merged with your own pricing.toml",
        description="List model prices (USD per million tokens) as promptlab uses them: the shipped table "
                    "merged with the pricing.toml in your config folder, with where each price came from.")
    parser.add_argument("model", nargs="?", metavar="MODEL", help="one model: every dated price and tier")
    parser.add_argument("--provider", metavar="NAME", help="only this provider's models")
    parser.add_argument("--all", action="store_true", help="include legacy models")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=prices_command)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"  # plain notation: "1e-7" in a file is not shown as 1E-7


def _long_context_json(lc: LongContext | None) -> dict[str, Any] | None:
    if lc is None:
        return None
    return {"above": lc.above, **{name: _money(getattr(lc, name)) for name in PRICE_COLUMNS
                                  if getattr(lc, name) is not None}}


def price_json(price: ModelPrice) -> dict[str, Any]:
    tiers = {}
    for name, tier in price.service_tiers.items():
        tiers[name] = ({"multiplier": _money(tier.multiplier)} if tier.multiplier is not None else
                       {**{k: _money(v) for k, v in tier.prices.items()},
                        "long_context": _long_context_json(tier.long_context)})
    return {
        "provider": price.provider, "model": price.model, "display_name": price.display_name,
        "api_model": price.request_model, "aliases": list(price.aliases),
        "per_million_usd": {name: _money(getattr(price, name)) for name in PRICE_COLUMNS},
        "long_context": _long_context_json(price.long_context), "service_tiers": tiers,
        "context_window": price.context_window, "max_output": price.max_output,
        "effective_from": price.effective_from.isoformat(),
        "effective_until": price.effective_until.isoformat() if price.effective_until else None,
        "version": price.version, "source": price.source, "legacy": price.legacy, "reasoning": price.reasoning,
        "note": price.note,
    }


def prices_command(args: argparse.Namespace) -> int:
    from promptlab_tui.core.pricing import PricingError, load_pricing
    from promptlab_tui.paths import app_paths

    try:
        table = load_pricing()
    except PricingError as error:
        raise CliError(f"the price table was refused:\n{error}", EXIT_BAD_INPUT) from error
    user_file = app_paths().user_pricing
    if args.model:
        return show_model(table, args.model, args.provider, args.json, str(user_file))
    prices = [p for p in table.models(include_legacy=args.all) if args.provider in (None, p.provider)]
    if args.provider and args.provider not in table.providers():
        raise CliError(f"--provider {args.provider}: expected one of {', '.join(table.providers())}")
    if args.json:
        print(json.dumps({"sources": list(table.sources), "user_file": str(user_file),
                          "user_file_exists": user_file.exists(),
                          "providers": {name: provider_json(info) for name, info in table.providers().items()},
                          "models": [price_json(p) for p in prices]}, indent=2))
        return 0
    print_table(prices)
    where = f"{user_file}" + ("" if user_file.exists() else " (not created yet)")
    print(f"\nUSD per million tokens. Your overrides: {where}"
          + ("" if args.all else "; legacy models: --all"))
    return 0


def provider_json(info: Any) -> dict[str, Any]:
    return {"display_name": info.display_name, "kind": info.kind, "base_url": info.base_url,
            "api_key_env": info.api_key_env, "free": info.free, "route_prices": info.route_prices,
            "source": info.source}


def _cell(value: Decimal | None) -> str:
    return "-" if value is None else f"${value:f}"


def print_table(prices: list[ModelPrice]) -> None:
    header = ("provider", "model", "input", "output", "cached", "cache write", "context", "since", "source")
    rows = [(p.provider, p.model, _cell(p.input), _cell(p.output), _cell(p.cached_input), _cell(p.cache_write),
             f"{p.context_window:,}" if p.context_window else "-", p.effective_from.isoformat(),
             p.source + (" *" if p.long_context or p.service_tiers else "")) for p in prices]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    numeric = {2, 3, 4, 5, 6}
    for row in [header, *rows]:
        print("  ".join(cell.rjust(w) if i in numeric else cell.ljust(w)
                        for i, (cell, w) in enumerate(zip(row, widths))).rstrip())
    if any(p.long_context or p.service_tiers for p in prices):
        print("* has long-context or batch/flex/priority prices: promptlab prices MODEL")


def _long_context_text(lc: LongContext) -> str:
    parts = ", ".join(f"{n} {_cell(getattr(lc, n))}" for n in PRICE_COLUMNS if getattr(lc, n) is not None)
    return f"above {lc.above:,} input tokens: {parts}"


def show_model(table: PricingTable, model: str, provider: str | None, as_json: bool, user_file: str) -> int:
    current = table.resolve(model, provider)
    if current is None:
        raise CliError(f"no price for {model!r}: it is not in the price table, so its cost is unknown. "
                       f"Add it to {user_file} (see `promptlab prices --json` for the fields).", EXIT_BAD_INPUT)
    history = table.history(model, provider) or [current]
    if as_json:
        print(json.dumps({"query": model, "current": price_json(current),
                          "history": [price_json(p) for p in history]}, indent=2))
        return 0
    print(f"{current.display_name}  ({current.provider}/{current.model})")
    if current.request_model != current.model:
        print(f"  API id       {current.request_model}")
    if current.aliases:
        print(f"  aliases      {', '.join(current.aliases)}")
    limits = [f"context {current.context_window:,}" if current.context_window else None,
              f"max output {current.max_output:,}" if current.max_output else None]
    if any(limits):
        print(f"  limits       {', '.join(x for x in limits if x)} tokens")
    for price in history:
        marker = "  (current)" if price.version == current.version else ""
        until = f" until {price.effective_until.isoformat()}" if price.effective_until else ""
        print(f"\n  from {price.effective_from.isoformat()}{until}{marker}   [{price.version}, {price.source}]")
        if price.note:
            print(f"    {price.note}")
        writes = price.cache_write is not None or price.cache_write_1h is not None
        for name in PRICE_COLUMNS if writes else PRICE_COLUMNS[:3]:
            value = getattr(price, name)
            print(f"    {name:<16}{_cell(value) if value is not None else 'billed at the input price'}")
        if price.long_context:
            print(f"    {_long_context_text(price.long_context)}")
        for name, tier in price.service_tiers.items():
            if tier.multiplier is not None:
                print(f"    {name:<16}x{tier.multiplier} of every price")
                continue
            parts = ", ".join(f"{k} {_cell(v)}" for k, v in tier.prices.items())
            print(f"    {name:<16}{parts} (others standard)")
            if tier.long_context:
                print(f"    {'':<16}{_long_context_text(tier.long_context)}")
    print("\nUSD per million tokens.")
    return 0
