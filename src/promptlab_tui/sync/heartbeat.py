"""Keep a team reservation alive while its run streams (runs longer than the server's hold expiry).

The server settles a hold at its reserved amount once it expires (`reservation_ttl_s`, default 900 s),
which is right for a client that vanished and wrong for one still streaming a long answer. So while a
run is held, a daemon thread calls `POST /v1/reservations/{id}/heartbeat` four times per expiry
period; settle or release stops it. A client that dies stops beating, and its hold expires as before.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from promptlab_tui.sync.client import TeamClient, TeamError, TeamUnreachable
from promptlab_tui.sync.credentials import Login

DEFAULT_TTL_S = 900
BEATS_PER_TTL = 4  # three beats may be lost (server busy, network blip) before the hold lapses
MAX_INTERVAL_S = 120.0


def interval_for(ttl_s: int | None) -> float:
    return max(0.1, min((ttl_s or DEFAULT_TTL_S) / BEATS_PER_TTL, MAX_INTERVAL_S))


class Heartbeats:
    """One thread per held run, each with its own HTTP client (httpx clients are not shared across threads here)."""

    def __init__(self, login: Login, on_beat: Callable[[str, dict], None] | None = None) -> None:
        self.login, self.on_beat = login, on_beat
        self._stops: dict[str, threading.Event] = {}
        self._lock = threading.Lock()

    def start(self, run_id: str, ttl_s: int | None) -> None:
        stop = threading.Event()
        with self._lock:
            self._stops[run_id] = stop
        thread = threading.Thread(target=self._beat, args=(run_id, interval_for(ttl_s), stop), daemon=True,
                                  name=f"team-heartbeat-{run_id[:8]}")
        thread.start()

    def stop(self, run_id: str) -> None:
        with self._lock:
            stop = self._stops.pop(run_id, None)
        if stop is not None:
            stop.set()

    def running(self) -> set[str]:
        with self._lock:
            return set(self._stops)

    def _beat(self, run_id: str, interval: float, stop: threading.Event) -> None:
        with TeamClient(self.login, timeout=max(1.0, interval)) as client:
            while not stop.wait(interval):
                try:
                    answer = client.heartbeat(run_id)
                except TeamUnreachable:
                    continue  # the next beat may get through before the hold lapses
                except TeamError:
                    break  # expired, settled or released: nothing left to keep alive
                interval = interval_for(answer.get("ttl_s"))  # an admin may have changed the expiry
                if self.on_beat is not None:
                    self.on_beat(run_id, answer)
        with self._lock:
            if self._stops.get(run_id) is stop:
                del self._stops[run_id]
