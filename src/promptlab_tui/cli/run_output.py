"""What `promptlab run` prints while and after a run: the streamed answer with the running cost at a
terminal, waiting notes, and why a run was not started or was refused (text on stderr, or JSON)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from promptlab_tui.cli.errors import EXIT_PROVIDER_ERROR
from promptlab_tui.core.money import format_usd


class _StreamPrinter:
    """The answer to stdout as it streams; at a terminal, the running cost on stderr's last line."""

    def __init__(self) -> None:
        self.live = sys.stderr.isatty()
        self.shown = False

    def __call__(self, event: Any) -> None:
        from promptlab_tui.services.run_types import RunCompleted, RunFailed, RunTextDelta, RunTokens

        if isinstance(event, RunTextDelta):
            sys.stdout.write(event.text)
            sys.stdout.flush()
        elif isinstance(event, RunTokens) and self.live:
            approx = "" if event.exact else "~"
            sys.stderr.write(f"\r\x1b[K[{approx}{event.output_tokens:,} tokens · {format_usd(event.cost_nanos)} so far"
                             f" · {event.elapsed_s:.1f} s]")
            sys.stderr.flush()
            self.shown = True
        elif isinstance(event, (RunCompleted, RunFailed)) and self.shown:
            sys.stderr.write("\r\x1b[K")  # the usage line replaces it
            sys.stderr.flush()
        else:
            _waiting_to_stderr(event)


def _waiting_to_stderr(event: Any) -> None:
    from promptlab_tui.services.run_types import RunWaiting

    if isinstance(event, RunWaiting):
        print(f"promptlab run: {event.message}", file=sys.stderr, flush=True)


def _report_not_started(path: str, error: Exception, args: argparse.Namespace) -> int:
    """The provider could not be made (no key, unknown provider): nothing was sent, spent or recorded."""
    from promptlab_tui.services.run_report import not_started_json

    if args.json:
        print(json.dumps(not_started_json(path, error), ensure_ascii=False), flush=True)
    print(f"promptlab run: {path}: {error}", file=sys.stderr)
    return EXIT_PROVIDER_ERROR


def _report_refusal(path: str, refusal: Any, args: argparse.Namespace) -> None:
    from promptlab_tui.services.run_report import refusal_json

    if args.json:
        print(json.dumps(refusal_json(path, refusal), ensure_ascii=False), flush=True)
    print(f"promptlab run: {path}: refused: {refusal}", file=sys.stderr)
    for suggestion in getattr(refusal, "suggestions", []):
        print(f"  - {suggestion}", file=sys.stderr)
