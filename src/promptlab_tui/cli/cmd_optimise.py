"""`promptlab optimise FILE [--model M]`: a cheap model rewrites the prompt to fewer tokens; both versions are
shown with their tokens and costs, and `--write OUT` keeps the shorter one. The rewrite is a recorded run."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from promptlab_tui.cli.errors import EXIT_BUDGET_REFUSED, EXIT_OK, EXIT_PROVIDER_ERROR
from promptlab_tui.core.money import format_usd, usd_string


def register(subparsers: argparse._SubParsersAction) -> None:
    from promptlab_tui.cli.cmd_run import _usd
    from promptlab_tui.services.optimise import DEFAULT_REWRITER

    parser = subparsers.add_parser(
        "optimise", help="have a cheap model shorten a prompt; compare tokens and costs before keeping it",
        description="Rewrite the prompt FILE's user message to fewer tokens with a cheap model (a budgeted, "
                    "recorded run), then show both versions with their tokens and costs on the file's model.")
    parser.add_argument("file", metavar="FILE", help="the prompt file")
    parser.add_argument("--model", "-m", default=DEFAULT_REWRITER, help=f"the model that rewrites (default {DEFAULT_REWRITER})")
    parser.add_argument("--max-cost", type=_usd, metavar="USD", help="cap on the rewrite call")
    parser.add_argument("--write", metavar="OUT", help="save the shortened prompt to OUT (same settings)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=optimise_command)


def optimise_command(args: argparse.Namespace) -> int:
    from promptlab_tui.cli.cmd_run import _explained_errors, _load, _report_refusal, _session_id
    from promptlab_tui.core.budget import BudgetViolation
    from promptlab_tui.providers.base import ProviderError
    from promptlab_tui.services.optimise import optimise_prompt
    from promptlab_tui.services.run_types import RunOptions
    from promptlab_tui.services.runner import RunService

    prompt = _load(args.file)
    service = RunService(session_id=_session_id())
    try:
        with _explained_errors():
            result = optimise_prompt(service, prompt, args.model, RunOptions(max_cost_nanos=args.max_cost))
    except BudgetViolation as refusal:
        _report_refusal(args.file, refusal, args)
        return EXIT_BUDGET_REFUSED
    except ProviderError as error:
        print(f"promptlab optimise: {args.file}: {error}", file=sys.stderr)
        return EXIT_PROVIDER_ERROR
    if args.write and result.shortened is not None:
        from dataclasses import replace

        from promptlab_tui.core.promptfile import save_prompt_file
        from promptlab_tui.core.types import ChatMessage

        shortened = replace(prompt, messages=[*prompt.messages[:-1], ChatMessage("user", result.shortened.text)])
        save_prompt_file(shortened, args.write)
    if args.json:
        print(json.dumps(_json(args, prompt, result), ensure_ascii=False))
    else:
        _print(args, prompt, result)
    return EXIT_OK if result.shortened is not None else EXIT_PROVIDER_ERROR


def _version_json(version: Any) -> dict[str, Any] | None:
    if version is None:
        return None
    return {"text": version.text, "input_tokens": version.input_tokens, "exact": version.exact,
            "expected_usd": usd_string(version.expected_nanos), "worst_case_usd": usd_string(version.worst_nanos)}


def _json(args: argparse.Namespace, prompt: Any, result: Any) -> dict[str, Any]:
    rewrite = result.rewrite
    return {"file": args.file, "model": prompt.model, "original": _version_json(result.original),
            "shortened": _version_json(result.shortened), "saved_tokens": result.saved_tokens,
            "rewrite": {"run_id": rewrite.run_id, "model": rewrite.plan.model, "status": rewrite.status,
                        "cost_usd": usd_string(rewrite.cost_nanos), "error": rewrite.error_message},
            "written": args.write if args.write and result.shortened is not None else None}


def _print(args: argparse.Namespace, prompt: Any, result: Any) -> None:
    rewrite = result.rewrite
    rows = [("", "tokens", "expected", "worst case")]
    for label, version in (("original", result.original), ("shortened", result.shortened)):
        if version is not None:
            rows.append((label, f"{version.input_tokens:,}" + ("" if version.exact else "~"),
                         format_usd(version.expected_nanos), format_usd(version.worst_nanos)))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    print(f"on {prompt.model}:")
    for row in rows:
        print("  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))))
    print(f"rewrite by {rewrite.plan.model}: {rewrite.status}, cost {format_usd(rewrite.cost_nanos)}")
    if result.shortened is None:
        print(f"not shortened: {rewrite.error_message or 'the model returned nothing'}", file=sys.stderr)
        return
    original = result.original.input_tokens
    share = f" ({result.saved_tokens * 100 / original:.0f} %)" if original else ""
    print(f"saved {result.saved_tokens:,} input tokens{share} per run")
    print("--- shortened ---")
    print(result.shortened.text)
    if args.write:
        print(f"written to {args.write}", file=sys.stderr)
