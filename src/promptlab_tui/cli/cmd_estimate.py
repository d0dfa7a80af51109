"""`promptlab estimate FILE`: tokens and cost of a prompt before it is run (nothing is sent anywhere)."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from typing import TYPE_CHECKING, Any

from promptlab_tui.cli.errors import EXIT_BAD_INPUT, CliError
from promptlab_tui.core.types import TokenCount

if TYPE_CHECKING:
    from promptlab_tui.core.estimate import RunEstimate
    from promptlab_tui.core.pricing import PricingTable
    from promptlab_tui.core.types import PromptSpec


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "estimate", help="tokens and cost of a prompt file before running it",
        description="Count a prompt's input tokens and predict its output and cost, expected and worst case. "
                    "FILE is plain text (the user message), Markdown with TOML front matter between +++ lines, "
                    "or a JSON list of OpenAI-format chat messages.")
    parser.add_argument("files", nargs="+", metavar="FILE",
                        help="the prompt file; several files or a folder: each file and the total")
    parser.add_argument("--model", "-m", metavar="MODEL", help="the model (default: the file's, else gpt-4o-mini)")
    parser.add_argument("--provider", metavar="NAME", help="price the model at this provider (e.g. openrouter)")
    parser.add_argument("--max-tokens", type=int, metavar="N", help="max output tokens (the worst case)")
    parser.add_argument("--tier", default="standard", choices=["standard", "batch", "flex", "priority"],
                        help="service tier to price at (default standard)")
    parser.add_argument("--quality", choices=["low", "medium", "high"],
                        help="with --model auto: the least quality tier to pick from (as run's; default medium)")
    parser.add_argument("--max-cost", type=_usd, metavar="USD",
                        help="per-run cap, as run's: auto picks within it; another model over it is flagged")
    parser.add_argument("--compare", action="store_true", help="also estimate the prompt on other models")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--check", action="store_true",
                        help="FILE is a folder: print, per model with runs of its prompts, the estimate's error "
                             "against actual usage (p50 / p90)")
    parser.set_defaults(func=estimate_entry)


def estimate_entry(args: argparse.Namespace) -> int:
    """One file: the detailed estimate; several files or a folder: each file and the totals (cli.estimate_batch)."""
    from pathlib import Path

    if args.check or (len(args.files) == 1 and not Path(args.files[0]).is_dir()):
        args.file = args.files[0]
        return estimate_command(args)
    from promptlab_tui.cli.estimate_batch import batch_command
    from promptlab_tui.cli.run_extras import expand_files

    return batch_command(args, expand_files(args.files), load_inputs, history_for)


def _usd(text: str) -> int:
    from promptlab_tui.cli.cmd_run import _usd as run_usd  # the same amounts as run's --max-cost

    return run_usd(text)


def load_inputs(args: argparse.Namespace) -> tuple[PromptSpec, PricingTable]:
    prompt, pricing, _selection = load_inputs_and_pick(args)
    return prompt, pricing


def load_inputs_and_pick(args: argparse.Namespace) -> tuple[PromptSpec, PricingTable, Any]:
    """The prompt (auto resolved), the prices, and auto's core.selection.Selection (None: not auto)."""
    from promptlab_tui.core.promptfile import PromptFileError, load_prompt_file

    from promptlab_tui.config import prompt_file_limit_bytes

    try:
        prompt = load_prompt_file(args.file, prompt_file_limit_bytes())
    except PromptFileError as error:
        raise CliError(str(error), EXIT_BAD_INPUT) from error
    if args.model:
        prompt.model = args.model.strip()
    if args.max_tokens is not None:
        if args.max_tokens < 1:
            raise CliError(f"--max-tokens {args.max_tokens}: expected a whole number of tokens, 1 or more")
        prompt.max_tokens = args.max_tokens
    if getattr(args, "quality", None):  # as `run`: the option wins over the file's
        prompt.quality = args.quality
    if getattr(args, "max_cost", None) is not None:
        prompt.max_cost_nanos = args.max_cost
    pricing = load_pricing_or_fail()
    from promptlab_tui.cli.run_extras import auto_pick_for_estimate

    prompt, selection = auto_pick_for_estimate(prompt, pricing)  # model = "auto": the pick and why (issue 11)
    return prompt, pricing, selection


def load_pricing_or_fail() -> PricingTable:
    from promptlab_tui.core.pricing import PricingError, load_pricing

    try:
        return load_pricing()
    except PricingError as error:
        raise CliError(f"the price table was refused:\n{error}", EXIT_BAD_INPUT) from error


def history_for(prompt: PromptSpec, pricing: PricingTable, provider: str | None,
                kind: str = "text") -> tuple[Any, float | None, Any]:
    """(output stats, calibration, duration samples and basis) from past runs of this prompt and model;
    nothing when there is no history."""
    from promptlab_tui.paths import app_paths

    database = app_paths().database
    if not database.exists():  # an estimate never creates a database
        return None, None, None
    try:
        from promptlab_tui.core.duration import choose_samples
        from promptlab_tui.store.repository import HistoryRepository

        from promptlab_tui.services.context import read_history_hints

        price = pricing.resolve(prompt.model, provider)
        recorded_as = price.model if price is not None else prompt.model  # runs are stored under the table's name
        repository = HistoryRepository(database)
        try:
            stats, calibration = read_history_hints(repository, recorded_as, prompt.name)
            durations = choose_samples(repository.duration_samples(recorded_as, prompt.name),
                                       repository.duration_samples(recorded_as), recorded_as)
            if kind != "text":  # tools, images...: calibrated per kind of content
                calibration = repository.calibration_ratio(recorded_as, kind)
            return stats, calibration, durations
        finally:
            repository.close()
    except Exception as error:  # an unreadable history must not stop an estimate; it just has no history
        print(f"promptlab estimate: history not used ({error})", file=sys.stderr)
        return None, None, None


def estimate_command(args: argparse.Namespace) -> int:
    from promptlab_tui.core.duration import expected_duration
    from promptlab_tui.core.estimate import alternatives_tips, compare_models, estimate_json, estimate_run_cost
    from promptlab_tui.core.request_tokens import count_prompt

    if args.check:
        from promptlab_tui.cli.cmd_estimate_check import check_command

        return check_command(args)
    prompt, pricing, selection = load_inputs_and_pick(args)
    kind = count_prompt(prompt).kind  # calibration is learned per kind of content
    stats, calibration, durations = history_for(prompt, pricing, args.provider, kind)
    request = count_prompt(prompt, calibration=calibration)
    online = online_count(prompt, args.provider) if not request.count.exact else None
    if online is not None and online.exact:
        request = dataclasses.replace(request, count=TokenCount(online.tokens, exact=True,
                                                                method=f"online: {online.source}"))
    estimate = estimate_run_cost(prompt, pricing, output_stats=stats, calibration=calibration,
                                 provider=args.provider, tier=args.tier, input_count=request.count)
    duration = expected_duration(durations[0], estimate.expected_output_tokens, estimate.p90_output_tokens,
                                 durations[1]) if durations else None
    # the main line's expected answer on every other model (a calibration belongs to its own model only)
    alternatives = compare_models(prompt, pricing, output_stats=stats, tier=args.tier)
    tips = alternatives_tips(estimate, alternatives)
    over_cap = _over_cap_note(prompt, estimate)
    if args.json:
        data = {"file": args.file, "name": prompt.name, "tier": args.tier, **estimate_json(estimate),
                **request_parts_json(request), "tips": tips, **_choice_json(prompt, selection, over_cap),
                "duration": None if duration is None else {"p50_ms": duration.p50_ms, "p90_ms": duration.p90_ms,
                                                           "basis": duration.basis}}
        if args.compare:
            data["alternatives"] = [estimate_json(other) for other in alternatives]
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    print_estimate(args.file, estimate, tips, pricing, request, duration)
    if over_cap:
        print(f"note: {over_cap}", file=sys.stderr)
    if args.compare:
        print_comparison(estimate, alternatives)
    return 0


def _over_cap_note(prompt: PromptSpec, estimate: RunEstimate) -> str | None:
    """A model whose worst case passes max_cost (--max-cost or the file's): `run` would refuse it."""
    from promptlab_tui.core.money import format_usd

    cap, worst = prompt.max_cost_nanos, estimate.worst_cost_nanos
    if cap is None or worst is None or worst <= cap:
        return None
    return (f"this run may cost up to {format_usd(worst)}, over the per-run cap of {format_usd(cap)}: "
            "`promptlab run` would refuse it")


def _choice_json(prompt: PromptSpec, selection: Any, over_cap: str | None) -> dict[str, Any]:
    """Issue 11's keys: the quality and cap used, why auto picked the model (None: not auto), a cap note."""
    from promptlab_tui.core.money import usd_string

    return {"quality": selection.quality if selection is not None else prompt.quality,
            "max_cost_usd": usd_string(prompt.max_cost_nanos),
            "selection": selection.reason if selection is not None else None,
            "notes": [note for note in (over_cap,) if note]}


def online_count(prompt: PromptSpec, provider: str | None) -> Any:
    """The provider's own count when the user allowed it (`count_online = true`); None otherwise."""
    from promptlab_tui.config import ConfigError, load_config

    try:
        config = load_config()
    except ConfigError as error:
        raise CliError(str(error), EXIT_BAD_INPUT) from error
    if not config.count_online:
        return None
    from promptlab_tui.services.online_count import OnlineCounter, provider_counter

    counter = OnlineCounter(provider_counter(config), debounce_s=0.0)
    counter.submit(prompt, provider, now=0.0)
    result = counter.flush(now=0.0)
    if result is not None and not result.exact:
        print(f"promptlab estimate: {result.label}", file=sys.stderr)
    return result


def request_parts_json(request: Any) -> dict[str, Any]:
    def part(cost: Any) -> dict[str, Any]:
        return {"name": cost.label, "tokens": cost.tokens, "exact": cost.exact, "detail": cost.detail}

    return {"tools": [part(c) for c in request.tools], "tools_overhead_tokens": request.tools_overhead,
            "images": [part(c) for c in request.images], "extras": [part(c) for c in request.extras]}


def request_rows(request: Any) -> list[tuple[str, str]]:
    """One line per tool (with the list's fixed tokens), per image and per other part, for the estimate."""
    def line(cost: Any) -> str:
        mark = "" if cost.exact else "≈"
        return f"{cost.label}: {mark}{_tokens(cost.tokens)} tokens" + (f" ({cost.detail})" if cost.detail else "")

    rows = [("tool", line(cost)) for cost in request.tools]
    if request.tools_overhead:
        rows.append(("tool", f"(tool list framing): {_tokens(request.tools_overhead)} tokens"))
    rows += [("image", line(cost)) for cost in request.images]
    rows += [("part", line(cost)) for cost in request.extras]
    return rows


def _tokens(count: int) -> str:
    return f"{count:,}"


def print_estimate(path: str, estimate: RunEstimate, tips: list[str], pricing: PricingTable,
                   request: Any = None, duration: Any = None) -> None:
    from promptlab_tui.core.money import format_usd
    from promptlab_tui.paths import app_paths

    count = estimate.input
    how = f"exact, {count.method}" if count.exact else "approximate"
    provider = pricing.provider(estimate.provider or "")
    where = f"{provider.display_name}, " if provider else ""
    rows = [
        ("prompt", path),
        ("model", f"{estimate.model} ({where}{estimate.display_name})" if estimate.priced else estimate.model),
        ("input", f"{_tokens(count.tokens)} tokens ({how})"),
        *(request_rows(request) if request is not None else []),
        ("output", f"expected {_tokens(estimate.expected_output_tokens)} · p90 {_tokens(estimate.p90_output_tokens)}"
                   f" · max {_tokens(estimate.max_output_tokens)} tokens ({estimate.output_basis})"),
    ]
    if estimate.priced:
        rows.append(("cost", f"expected {format_usd(estimate.expected_cost_nanos)} · p90 "
                             f"{format_usd(estimate.p90_cost_nanos)} · worst case {format_usd(estimate.worst_cost_nanos)}"))
        price = pricing.by_version(estimate.price_version or "")
        source = price.source if price is not None else "?"
        rows.append(("price", f"{estimate.price_version} ({source})"))
    else:
        at = f" at {estimate.provider}" if estimate.provider else ""  # --provider NAME may be the reason
        rows.append(("cost", f"no price: {estimate.model}{at} is not in the price table "
                             f"(add it to {app_paths().user_pricing})"))
    if duration is not None:
        rows.append(("duration", duration.label()))
    rows += [("note", note) for note in ([count.note] if count.note and not count.exact else [])]
    rows += [("warning", warning) for warning in estimate.warnings]
    rows += [("tip", tip) for tip in tips]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label.ljust(width)}  {value}")


def print_comparison(current: RunEstimate, alternatives: list[RunEstimate]) -> None:
    from promptlab_tui.core.money import format_usd

    header = ("model", "provider", "input", "expected", "worst case")
    rows = [(("* " if (e.model, e.provider) == (current.model, current.provider) else "  ") + e.model,
             e.provider or "-", _tokens(e.input.tokens) + ("" if e.input.exact else "~"),
             format_usd(e.expected_cost_nanos), format_usd(e.worst_cost_nanos)) for e in alternatives]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    print()
    for row in [header, *rows]:
        print("  ".join(cell.rjust(w) if i >= 2 else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths))))
    print("(~ approximate token count)")
