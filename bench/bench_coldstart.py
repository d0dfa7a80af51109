"""Cold start to the first painted frame in a 120x40 pseudo-terminal: promptlab, a bare Textual app, peers."""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from bench.harness import describe, row
from bench.peers import PEERS, PeerUnavailable, ensure_installed, textual_version
from bench.ptyframe import first_frame_ms, median_first_frame_ms, terminal_env

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


def alternating_first_frames(argvs: list[list[str]], env: dict[str, str], repeat: int,
                             cwd: str) -> list[list[float]]:
    """First-frame times of several programs, started in turn (after one unmeasured warm-up start each)."""
    for argv in argvs:
        first_frame_ms(argv, env, cwd)
    samples: list[list[float]] = [[] for _ in argvs]
    for _ in range(repeat):
        for argv, found in zip(argvs, samples):
            found.append(first_frame_ms(argv, env, cwd))
    return samples


def _spread(samples: list[float]) -> str:
    return f"median of {len(samples)}, range {min(samples):.0f}–{max(samples):.0f} ms"


def run(quick: bool) -> list[dict]:
    repeat = 3 if quick else 7  # each peer
    pair_repeat = 5 if quick else 11  # promptlab and the bare app, alternating: the figure with a target
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="promptlab-coldstart-") as tmp:
        work = Path(tmp)
        # Peers and the bare app keep their config/data in the temp dir too, never in the user's home.
        isolated = {"HOME": str(work / "home"), "XDG_CONFIG_HOME": str(work / "home/config"),
                    "XDG_DATA_HOME": str(work / "home/data"), "XDG_CACHE_HOME": str(work / "home/cache"),
                    "PROMPTLAB_HOME": str(work / "promptlab-home")}
        (work / "home").mkdir()
        env = terminal_env(isolated)
        # Every app starts from cached bytecode, as an installed one does (pip byte-compiles on install): the
        # unmeasured warm-up start writes it here, even where PYTHONDONTWRITEBYTECODE is set (as on the build
        # machine, where promptlab's editable source would otherwise be compiled again at every start).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")

        bare_ms = None
        bare_argv = [sys.executable, str(BARE_APP)]
        try:
            # promptlab and its baseline alternate, so a change in the machine's load hits both alike
            samples_by_app = alternating_first_frames([bare_argv, promptlab_argv()], env, pair_repeat, cwd=tmp)
        except Exception as error:  # noqa: BLE001 - the pair fails together; the peers still run
            rows.append(row(GROUP, "bare Textual app", None, "ms", note=describe(error)))
            rows.append(row(GROUP, "promptlab", None, "ms", baseline_name="bare app", baseline=None,
                            target=f"≤ {TARGET_RATIO}x bare app", met=False, note=describe(error)))
            samples_by_app = None
        if samples_by_app is not None:
            bare_samples, samples = samples_by_app
            bare_ms, ms = statistics.median(bare_samples), statistics.median(samples)
            rows.append(row(GROUP, "bare Textual app (Header, TextArea, Static, Footer)", bare_ms, "ms",
                            note=_spread(bare_samples)))
            ratio = ms / bare_ms
            rows.append(row(GROUP, "promptlab (no args, isolated PROMPTLAB_HOME)", ms, "ms", baseline_name="bare app",
                            baseline=bare_ms, target=f"≤ {TARGET_RATIO}x bare app", met=ratio <= TARGET_RATIO,
                            note=_spread(samples) + "; starts alternate with the bare app's; home created by the"
                                 " unmeasured warm-up start"))
        baseline = {"baseline_name": "bare app", "baseline": bare_ms}

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
