"""`promptlab run` on a prompt file with `fallback = [...]`: each attempt printed as it ends, then which
model answered; `--json` adds the chain and every attempt (run id, status, cost) to the file's object."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from promptlab_tui.cli.errors import EXIT_BUDGET_REFUSED, EXIT_INTERRUPTED, EXIT_OK, EXIT_PROVIDER_ERROR
from promptlab_tui.core.money import format_usd, usd_string


def run_chain(service: Any, path: str, prompt: Any, options: Any, args: argparse.Namespace, several: bool) -> int:
    from promptlab_tui.cli.run_extras import confirm_expensive
    from promptlab_tui.services.fallback import estimate_chain, run_with_fallback
    from promptlab_tui.services.run_report import outcome_json, refusal_json, usage_lines

    estimate = estimate_chain(service, prompt, options)  # confirm_above: the first model's expected cost
    declined = None if estimate.first is None else \
        confirm_expensive(estimate.first, args, service.context.config, estimate)
    if declined is not None:
        if args.json:
            print(json.dumps({"file": path, "status": "not_confirmed", "error": declined,
                              "fallback": {"chain": estimate.chain}}), flush=True)
        print(f"promptlab run: {path}: {declined}", file=sys.stderr)
        return EXIT_BUDGET_REFUSED
    if several and not args.json:
        print(f"==> {path} <==", flush=True)

    def attempt_ended(attempt: Any, following: str | None) -> None:
        if args.json or attempt.status == "completed":
            return
        cost = f", cost {format_usd(attempt.cost_nanos)}" if attempt.run_id else ""
        then = f"; trying {following}" if following else ""
        print(f"promptlab run: {attempt.model}: {attempt.status}{cost} ({attempt.why}){then}", file=sys.stderr)

    result = run_with_fallback(service, prompt, options, on_event=None if args.json else _stream,
                               on_attempt=attempt_ended)
    outcome = result.outcome
    chain = {"chain": result.chain, "group_id": result.group_id, "answered_by": result.answered_by,
             "total_cost_usd": usd_string(result.total_cost_nanos),
             "attempts": [{"model": a.model, "status": a.status, "run_id": a.run_id,
                           "cost_usd": usd_string(a.cost_nanos), "why": a.why} for a in result.attempts]}
    if outcome is None:  # every model refused or without a key
        if args.json:
            print(json.dumps({**refusal_json(path, result.refusal), "fallback": chain} if result.refusal else
                             {"file": path, "status": "error", "fallback": chain}, ensure_ascii=False), flush=True)
        print(f"promptlab run: {path}: {result.summary()}", file=sys.stderr)
        return EXIT_BUDGET_REFUSED if result.refusal is not None else EXIT_PROVIDER_ERROR
    if args.json:
        print(json.dumps({**outcome_json(path, outcome), "fallback": chain}, ensure_ascii=False), flush=True)
    else:
        if outcome.text and not outcome.text.endswith("\n"):
            print(flush=True)
        for line in usage_lines(outcome):
            print(line, file=sys.stderr)
        print(f"fallback: {result.summary()}; all attempts {format_usd(result.total_cost_nanos)}", file=sys.stderr)
    if outcome.interrupted or outcome.status == "cancelled":
        return EXIT_INTERRUPTED
    return EXIT_OK if outcome.ok else EXIT_PROVIDER_ERROR


def _stream(event: Any) -> None:
    from promptlab_tui.services.run_types import RunTextDelta

    if isinstance(event, RunTextDelta):
        sys.stdout.write(event.text)
        sys.stdout.flush()
