"""Ctrl-C, SIGTERM and SIGHUP during a CLI run: the first one stops the stream, none interrupts recording it.

    with RunSignals() as signals:              # main thread only; elsewhere it does nothing
        with signals.deferred(): reserve()     # a signal here is remembered, not raised
        with signals.armed(): stream()         # the first signal raises RunInterrupted (a KeyboardInterrupt)
        with signals.deferred(): settle()      # later ones are remembered: settling always finishes
    signals.resume()                           # before the next run: raise again (after the usage is printed)
    exit_code = signals.exit_code              # 128 + the first signal, or None

The handler itself disarms before raising, so a second signal 0 ms after the first can never
interrupt the except clause or the settlement that follows.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

HANDLED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
NAMES = {signal.SIGINT: "Ctrl-C", signal.SIGTERM: "SIGTERM", signal.SIGHUP: "SIGHUP"}


class RunInterrupted(KeyboardInterrupt):
    """The run was stopped by a signal (Ctrl-C is SIGINT)."""

    def __init__(self, signum: int = signal.SIGINT) -> None:
        super().__init__(NAMES.get(signum, f"signal {signum}"))
        self.signum = signum


def interrupted_message(error: BaseException) -> str:
    signum = getattr(error, "signum", signal.SIGINT)
    return f"interrupted by {NAMES.get(signum, f'signal {signum}')}"


class RunSignals:
    def __init__(self) -> None:
        self.received: list[int] = []
        self._armed = False
        self._saved: dict[int, object] = {}

    @property
    def exit_code(self) -> int | None:
        return 128 + self.received[0] if self.received else None

    def __enter__(self) -> "RunSignals":
        if threading.current_thread() is threading.main_thread():
            for signum in HANDLED:
                self._saved[signum] = signal.signal(signum, self._handle)
            self._armed = True  # outside a run (start-up, planning) a signal stops the command at once
        return self

    def __exit__(self, *_exc: object) -> None:
        # The process is leaving when a signal came: ignore further ones so that nothing (atexit included)
        # is cut short; otherwise put the previous handlers back.
        for signum, previous in self._saved.items():
            signal.signal(signum, signal.SIG_IGN if self.received else previous)  # type: ignore[arg-type]
        self._saved.clear()

    def _handle(self, signum: int, _frame: object) -> None:
        self.received.append(signum)
        if self._armed:
            self._armed = False
            raise RunInterrupted(signum)

    def resume(self) -> None:
        """Between runs (the CLI's next file): a signal stops the command at once again."""
        self._armed = bool(self._saved) and not self.received

    @contextmanager
    def deferred(self) -> Iterator[None]:
        was, self._armed = self._armed, False
        try:
            yield
        finally:
            self._armed = was and not self.received

    @contextmanager
    def armed(self) -> Iterator[None]:
        """Signals raise inside; one already received (while deferred) raises at once."""
        if self.received:
            raise RunInterrupted(self.received[0])
        self._armed = bool(self._saved)
        try:
            yield
        finally:
            self._armed = False


class NoSignals(RunSignals):
    """For runs outside the main thread (the app's workers): Textual owns the terminal's keys there."""

    def __enter__(self) -> "NoSignals":
        return self
