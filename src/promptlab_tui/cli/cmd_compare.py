"""`promptlab compare FILE --models a,b,c`: the same prompt on several models at once.

Each answer with its tokens, cost, latency and estimate vs actual, then a summary table; `--max-cost`
caps the whole set (a model that no longer fits is refused before its call); `--json` prints one object.
Exit codes: 0 when every model answered, 3 when one was refused, 4 when one failed, 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from promptlab_tui.cli.errors import EXIT_BAD_INPUT, EXIT_BUDGET_REFUSED, EXIT_OK, EXIT_PROVIDER_ERROR, CliError
from promptlab_tui.core.money import format_usd, usd_string


def register(subparsers: argparse._SubParsersAction) -> None:
    from promptlab_tui.cli.cmd_run import _usd

    parser = subparsers.add_parser(
        "compare", help="run one prompt on several models at once and compare answers, costs and latency",
        description="Run the prompt FILE on each model of --models concurrently (each run budget-checked, "
                    "reserved and recorded), print each answer with its usage, then a summary table.")
    parser.add_argument("file", metavar="FILE", help="the prompt file")
    parser.add_argument("--models", required=True, metavar="A,B,C", help="the models to compare, comma-separated")
    parser.add_argument("--max-tokens", type=int, metavar="N", help="most output tokens of each answer")
    parser.add_argument("--max-cost", type=_usd, metavar="USD", help="cap on the whole set of runs")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=compare_command)


def _models(text: str) -> list[str]:
    models = []
    for name in text.split(","):
        if name.strip() and name.strip() not in models:
            models.append(name.strip())
    if len(models) < 2:
        raise CliError(f"--models: expected two or more models separated by commas, got {text!r}", EXIT_BAD_INPUT)
    return models


def compare_command(args: argparse.Namespace) -> int:
    from promptlab_tui.cli.cmd_run import _explained_errors, _load, _session_id
    from promptlab_tui.services.compare import run_compare
    from promptlab_tui.services.run_types import RunOptions
    from promptlab_tui.services.runner import RunService

    models = _models(args.models)
    if args.max_tokens is not None and args.max_tokens < 1:
        raise CliError(f"--max-tokens must be 1 or more, got {args.max_tokens}", EXIT_BAD_INPUT)
    prompt = _load(args.file)
    service = RunService(session_id=_session_id())
    with _explained_errors():
        service.startup_maintenance()
        result = run_compare(service, prompt, models, RunOptions(max_tokens=args.max_tokens), args.max_cost)
    if args.json:
        print(json.dumps(result_json(args.file, result, args.max_cost), ensure_ascii=False))
    else:
        print_result(result, args.max_cost)
    statuses = {entry.status for entry in result.entries}
    if "refused" in statuses:
        return EXIT_BUDGET_REFUSED
    return EXIT_OK if statuses == {"completed"} else EXIT_PROVIDER_ERROR


def result_json(path: str, result: Any, max_total: int | None) -> dict[str, Any]:
    from promptlab_tui.services.run_report import outcome_json, refusal_json

    entries = []
    for entry in result.entries:
        if entry.outcome is not None:
            entries.append({**outcome_json(path, entry.outcome), "latency_s": round(entry.outcome.duration_s, 3)})
        elif entry.refusal is not None:
            entries.append({**refusal_json(path, entry.refusal), "model": entry.model})
        else:
            entries.append({"file": path, "model": entry.model, "status": "error", "error": entry.why,
                            "recorded": False})
    return {"file": path, "group_id": result.group_id, "results": entries,
            "total_cost_usd": usd_string(result.total_cost_nanos), "unpriced_runs": result.unpriced,
            "max_cost_usd": usd_string(max_total)}


def print_result(result: Any, max_total: int | None) -> None:
    from promptlab_tui.services.run_report import usage_lines

    for entry in result.entries:
        print(f"==> {entry.model} <==")
        if entry.outcome is not None:
            print(entry.outcome.text.rstrip("\n"))
            for line in usage_lines(entry.outcome):
                print(f"  {line}")
            if not entry.outcome.ok:
                print(f"  {entry.outcome.status}: {entry.why}")
        else:
            print(f"  not run: {entry.why}")
            for suggestion in getattr(entry.refusal, "suggestions", []):
                print(f"    - {suggestion}")
        print()
    header = ("model", "status", "in", "out", "cost", "estimate", "error", "latency")
    rows = [header]
    for entry in result.entries:
        outcome = entry.outcome
        if outcome is None:
            rows.append((entry.model, entry.status, "-", "-", format_usd(0), "-", "-", "-"))
            continue
        error = outcome.estimate_error_pct
        rows.append((entry.model, outcome.status, f"{outcome.usage.total_input_tokens:,}",
                     f"{outcome.usage.output_tokens:,}", format_usd(outcome.cost_nanos),
                     format_usd(outcome.expected_nanos), "-" if error is None else f"{error:+.0f} %",
                     f"{outcome.duration_s:.2f} s"))
    cap = f" (--max-cost {format_usd(max_total)})" if max_total is not None else ""
    unpriced = f" + {result.unpriced} without a price" if result.unpriced else ""
    rows.append(("total", "", "", "", format_usd(result.total_cost_nanos) + unpriced, "", "", ""))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        print("  ".join(cell.rjust(w) if i >= 2 else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths)))
              .rstrip())
    if cap:
        print(f"whole set capped{cap}")
    sys.stdout.flush()
