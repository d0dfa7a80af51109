"""Cold start in a 120x40 pseudo-terminal: promptlab, a bare Textual app, peers.

Two moments of promptlab's start: its first painted frame (empty home), and when it is ready in a home
with a budget and a history: the budget bar filled (its limit, "$30.00", on screen) and the preview's
first line ("Type a prompt to see its cost.") on screen, found in the terminal output with the escape
sequences removed. Both are set against the bare app's first frame, all started in turn in one run.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from bench.harness import describe, row
from bench.peers import PEERS, PeerUnavailable, ensure_installed, textual_version
from bench.ptyframe import first_frame_ms, median_first_frame_ms, terminal_env, texts_on_screen_ms

GROUP = "cold start"
TARGET_RATIO = 1.25
READY_TARGET_RATIO = 1.5
BUDGET_TEXT = "$30.00"  # the budget bar's limit, `promptlab budget set --monthly 30`
PREVIEW_TEXT = "Type a prompt to see its cost."
READY_HISTORY_RUNS = 2_000
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
    return alternating([lambda argv=argv: first_frame_ms(argv, env, cwd) for argv in argvs], repeat)


def alternating(timers: list, repeat: int) -> list[list]:
    """Each timer called `repeat` times, in turn, after one unmeasured warm-up call each."""
    for timer in timers:
        timer()
    samples: list[list] = [[] for _ in timers]
    for _ in range(repeat):
        for timer, found in zip(timers, samples):
            found.append(timer())
    return samples


def ready_home(work: Path, env: dict[str, str]) -> dict[str, str]:
    """A PROMPTLAB_HOME with a monthly budget of $30 and a synthetic history; the environment to use it."""
    import subprocess

    from bench.synthetic import fill_home

    home = work / "ready-home"
    home.mkdir()
    fill_home(READY_HISTORY_RUNS, str(home))
    ready_env = dict(env, PROMPTLAB_HOME=str(home))
    subprocess.run(promptlab_argv() + ["budget", "set", "--monthly", "30"], env=ready_env, check=True,
                   capture_output=True, timeout=120)
    return ready_env


def _spread(samples: list[float]) -> str:
    return f"median of {len(samples)}, range {min(samples):.0f}–{max(samples):.0f} ms"


def ready_rows(samples: list[dict[str, float]], bare_ms: float) -> list[dict]:
    """The moment each text is on screen, and when both are (ready), against the bare app's first frame."""
    rows = []
    moments = [("budget bar filled", [s[BUDGET_TEXT] for s in samples], f"“{BUDGET_TEXT}” on screen"),
               ("preview's first line", [s[PREVIEW_TEXT] for s in samples], f"“{PREVIEW_TEXT}” on screen"),
               ("ready (both on screen)", [max(s.values()) for s in samples], "the later of the two")]
    for name, found, what in moments:
        ms = statistics.median(found)
        rows.append(row(GROUP, f"promptlab ready: {name} (budget, {READY_HISTORY_RUNS:,} runs)", ms, "ms",
                        baseline_name="bare app's first frame", baseline=bare_ms,
                        target=f"≤ {READY_TARGET_RATIO}x bare app", met=ms / bare_ms <= READY_TARGET_RATIO,
                        note=f"{what}; {_spread(found)}; starts alternate with the bare app's"))
    return rows


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
            ready_env = ready_home(work, env)
            texts = [BUDGET_TEXT, PREVIEW_TEXT]
            # promptlab and its baseline alternate, so a change in the machine's load hits both alike
            samples_by_app = alternating([lambda: first_frame_ms(bare_argv, env, tmp),
                                          lambda: first_frame_ms(promptlab_argv(), env, tmp),
                                          lambda: texts_on_screen_ms(promptlab_argv(), ready_env, texts, tmp)],
                                         pair_repeat)
        except Exception as error:  # noqa: BLE001 - the pair fails together; the peers still run
            rows.append(row(GROUP, "bare Textual app", None, "ms", note=describe(error)))
            rows.append(row(GROUP, "promptlab", None, "ms", baseline_name="bare app", baseline=None,
                            target=f"≤ {TARGET_RATIO}x bare app", met=False, note=describe(error)))
            samples_by_app = None
        if samples_by_app is not None:
            bare_samples, samples, ready_samples = samples_by_app
            bare_ms, ms = statistics.median(bare_samples), statistics.median(samples)
            rows.append(row(GROUP, "bare Textual app (Header, TextArea, Static, Footer)", bare_ms, "ms",
                            note=_spread(bare_samples)))
            ratio = ms / bare_ms
            rows.append(row(GROUP, "promptlab (no args, isolated PROMPTLAB_HOME)", ms, "ms", baseline_name="bare app",
                            baseline=bare_ms, target=f"≤ {TARGET_RATIO}x bare app", met=ratio <= TARGET_RATIO,
                            note=_spread(samples) + "; starts alternate with the bare app's; home created by the"
                                 " unmeasured warm-up start"))
            rows += ready_rows(ready_samples, bare_ms)
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
