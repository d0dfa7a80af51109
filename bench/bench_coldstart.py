"""Cold start to the first painted frame in a 120x40 pseudo-terminal: promptlab, a bare Textual app, peers."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from bench.harness import describe, row
from bench.peers import PEERS, PeerUnavailable, ensure_installed, textual_version
from bench.ptyframe import median_first_frame_ms, terminal_env

GROUP = "cold start"
TARGET_RATIO = 1.25
BARE_APP = Path(__file__).with_name("bare_app.py")


def promptlab_argv() -> list[str]:
    """The installed `promptlab` script beside this Python, or the module when it is not installed."""
    script = Path(sys.executable).with_name("promptlab")
    if script.exists():
        return [str(script)]
    found = shutil.which("promptlab")
    return [found] if found else [sys.executable, "-m", "promptlab_tui"]


def _spread(samples: list[float]) -> str:
    return f"median of {len(samples)}, range {min(samples):.0f}–{max(samples):.0f} ms"


def run(quick: bool) -> list[dict]:
    repeat = 3 if quick else 7
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="promptlab-coldstart-") as tmp:
        work = Path(tmp)
        # Peers and the bare app keep their config/data in the temp dir too, never in the user's home.
        isolated = {"HOME": str(work / "home"), "XDG_CONFIG_HOME": str(work / "home/config"),
                    "XDG_DATA_HOME": str(work / "home/data"), "XDG_CACHE_HOME": str(work / "home/cache"),
                    "PROMPTLAB_HOME": str(work / "promptlab-home")}
        (work / "home").mkdir()
        env = terminal_env(isolated)

        bare_ms = None
        try:
            bare_ms, samples = median_first_frame_ms([sys.executable, str(BARE_APP)], env, repeat, cwd=tmp)
            rows.append(row(GROUP, "bare Textual app (Header, TextArea, Static, Footer)", bare_ms, "ms",
                            note=_spread(samples)))
        except Exception as error:  # noqa: BLE001 - each figure fails on its own
            rows.append(row(GROUP, "bare Textual app", None, "ms", note=describe(error)))
        baseline = {"baseline_name": "bare app", "baseline": bare_ms}

        try:
            ms, samples = median_first_frame_ms(promptlab_argv(), env, repeat, cwd=tmp)
            ratio = ms / bare_ms if bare_ms else None
            rows.append(row(GROUP, "promptlab (no args, isolated PROMPTLAB_HOME)", ms, "ms", **baseline,
                            target=f"≤ {TARGET_RATIO}x bare app", met=ratio is not None and ratio <= TARGET_RATIO,
                            note=_spread(samples) + "; home created by the unmeasured warm-up start"))
        except Exception as error:  # noqa: BLE001
            rows.append(row(GROUP, "promptlab", None, "ms", **baseline, target=f"≤ {TARGET_RATIO}x bare app",
                            met=False, note=describe(error)))

        for peer in PEERS:
            try:
                bin_dir = ensure_installed(peer, allow_install=not quick)
                ms, samples = median_first_frame_ms(peer.argv(bin_dir, work), env, repeat, cwd=tmp)
                note = f"{_spread(samples)}; Textual {textual_version(bin_dir)}"
                if peer.why_pinned:
                    note += f"; {peer.why_pinned}"
                rows.append(row(GROUP, f"peer: {peer.name}", ms, "ms", **baseline, note=note))
            except PeerUnavailable as error:
                rows.append(row(GROUP, f"peer: {peer.name}", None, "ms", **baseline, note=f"skipped: {error}"))
            except Exception as error:  # noqa: BLE001
                rows.append(row(GROUP, f"peer: {peer.name}", None, "ms", **baseline,
                                note=describe(error)))
    return rows
