"""`promptlab run` over a batch (files and folders, `--max-total-cost`, the files' `session_budget`),
`--quality` for `--model auto`, and the `confirm_above` question before an expensive run (`--yes`)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from promptlab_tui.cli.errors import EXIT_BAD_INPUT, CliError
from promptlab_tui.core.money import format_usd

PROMPT_SUFFIXES = (".md", ".markdown", ".json", ".txt", ".prompt")


def add_options(parser: argparse.ArgumentParser, usd: Any) -> None:
    parser.add_argument("--max-total-cost", type=usd, metavar="USD",
                        help="stop a batch before a run whose worst case could take the total past USD")
    parser.add_argument("--quality", choices=["low", "medium", "high"],
                        help="with --model auto: the least quality tier to pick from (default medium)")
    parser.add_argument("--yes", "-y", action="store_true",
                        help="run without asking, even above the config's confirm_above")
    parser.add_argument("--no-cache", action="store_true", help="always call the provider (ignore `cache = true`)")


def expand_files(paths: list[str]) -> list[str]:
    """Files as given; a folder stands for its prompt files (sorted by name, not recursive)."""
    files: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in PROMPT_SUFFIXES
                           and not p.name.startswith("."))
            if not found:
                raise CliError(f"{raw}: no prompt files in this folder (expected {', '.join(PROMPT_SUFFIXES)})",
                               EXIT_BAD_INPUT)
            files += [str(p) for p in found]
        else:
            files.append(raw)
    return files


def session_cap(args: argparse.Namespace, prompts: list[tuple[str, Any]]) -> tuple[int | None, str]:
    """The tightest of --max-session-cost, --max-total-cost and the files' `session_budget`, and how a refusal
    names it: "batch" when it is --max-total-cost, else "session"."""
    caps = [args.max_session_cost, *(prompt.session_budget_nanos for _path, prompt in prompts)]
    caps = [cap for cap in caps if cap is not None]
    tightest = min(caps) if caps else None
    if args.max_total_cost is not None and (tightest is None or args.max_total_cost < tightest):
        return args.max_total_cost, "batch"
    return tightest, "session"


class BatchReport:
    """What ran (with its cost) and what did not, printed at the end of a run over several files."""

    def __init__(self, files: list[str], session: Any) -> None:
        self.files = files
        self.session = session
        self.ran: list[tuple[str, int | None, int]] = []  # (file, cost or None, exit code)
        self.declined: set[str] = set()  # files stopped by the confirm_above question
        self._before = 0
        from promptlab_tui.services.linking import new_group_id

        self.group_id = new_group_id("batch")

    def options(self, options: Any, position: int) -> Any:
        """The run options of the batch's file at `position`: recorded as one batch (source "batch")."""
        from promptlab_tui.services.linking import LinkInfo, linked_options

        return linked_options(options, LinkInfo("batch", self.group_id, position))

    def starting(self) -> None:
        self._before = self.session.status().spent_nanos

    def finished(self, path: str, code: int, refused: bool, declined: bool = False) -> None:
        """`declined`: stopped by the confirm_above question (or its absence without a terminal), not a limit."""
        if declined:
            self.declined.add(path)
        if not refused:
            self.ran.append((path, self.session.status().spent_nanos - self._before, code))

    def print(self, args: argparse.Namespace, stopped_code: int) -> None:
        done = {path for path, _, _ in self.ran}
        not_run = [path for path in self.files if path not in done]
        total = sum(cost or 0 for _, cost, _ in self.ran)
        if args.json:  # the refused file printed its own object; the summary only for --max-total-cost
            if args.max_total_cost is not None:
                stopped = not_run[:1] if stopped_code == 3 else []
                for path in not_run[len(stopped):]:
                    print(json.dumps({"file": path, "status": "not_run"}), flush=True)
                print(json.dumps({"batch": True, "ran": [p for p, _, _ in self.ran], "not_run": not_run,
                                  "total_usd": _usd(total), "max_total_usd": _usd(args.max_total_cost)}), flush=True)
            return
        print(f"batch: {len(self.ran)} of {len(self.files)} file(s) ran, total {format_usd(total)}"
              + (f" (--max-total-cost {format_usd(args.max_total_cost)})" if args.max_total_cost is not None else ""),
              file=sys.stderr)
        for path, cost, code in self.ran:
            print(f"  ran      {path}  {format_usd(cost)}" + ("" if code == 0 else f"  (exit {code})"), file=sys.stderr)
        for index, path in enumerate(not_run):
            why = "not reached"
            if index == 0 and stopped_code == 3:
                why = ("not confirmed: its expected cost is above confirm_above; --yes runs it"
                       if path in self.declined else "refused: it could pass the limit")
            print(f"  not run  {path}  ({why})", file=sys.stderr)


def _usd(nanos: int | None) -> str | None:
    from promptlab_tui.core.money import usd_string

    return usd_string(nanos)


def confirm_expensive(plan: Any, args: argparse.Namespace, config: Any, chain: Any = None) -> str | None:
    """None to go on; else why the run is not made (the caller exits 3). Asks at a terminal above confirm_above.

    `chain`: a fallback chain's services.fallback.ChainEstimate (`plan` is its first model's): its worst case
    if every model is tried is said too."""
    from promptlab_tui.services.choice_config import confirm_above_nanos
    from promptlab_tui.services.response_cache import confirmation_needed

    threshold = confirm_above_nanos(config)
    if args.yes or not confirmation_needed(plan, threshold):  # a cache hit is served for $0: nothing to confirm
        return None
    expected = plan.estimate.expected_nanos
    args.declined = True  # the batch summary says why the file did not run (cmd_run resets it per file)
    what = (f"{plan.model}: expected {format_usd(expected)}, worst case {format_usd(plan.worst_case_nanos)}, "
            f"above confirm_above {format_usd(threshold)}")
    if chain is not None and len(chain.chain) > 1:
        what += f"; {chain.worst_case_words()}"
    if args.json or not sys.stdin.isatty() or not sys.stderr.isatty():
        return f"{what}; not run without a terminal to ask: add --yes to run it"
    print(f"promptlab run: {what}", file=sys.stderr)
    try:
        answer = input("Run it? [y/N] ")
    except EOFError:
        answer = ""
    if answer.strip().lower() in ("y", "yes"):
        args.declined = False
        return None
    return f"{what}; not confirmed"


def resolve_auto_for_estimate(prompt: Any, pricing: Any) -> Any:
    """`model = "auto"` in an estimate: the prompt with the pick (see `auto_pick_for_estimate`)."""
    return auto_pick_for_estimate(prompt, pricing)[0]


def auto_pick_for_estimate(prompt: Any, pricing: Any) -> tuple[Any, Any]:
    """`model = "auto"` in an estimate: (the prompt with the pick, the core.selection.Selection; None when the
    model is not auto), the pick and why on stderr (the budget's room is not looked at: an estimate never opens
    the history), or a refusal naming the cheapest model (exit 3)."""
    from promptlab_tui.cli.errors import EXIT_BUDGET_REFUSED
    from promptlab_tui.core.selection import NoModelFits, is_auto

    if not is_auto(prompt.model):
        return prompt, None
    from promptlab_tui.services.auto_select import choose
    from promptlab_tui.services.context import ServiceContext
    from promptlab_tui.services.run_types import RunOptions

    try:
        prompt, _options, selection = choose(ServiceContext(tracking=False, pricing=pricing), prompt, RunOptions(), None)
    except NoModelFits as refusal:
        raise CliError(f"refused: {refusal}", EXIT_BUDGET_REFUSED) from None
    print(f"note: {selection.reason}", file=sys.stderr)
    return prompt, selection
