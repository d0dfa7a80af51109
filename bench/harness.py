"""Benchmark harness: discovers `bench_*.py` modules, runs each in its own process, prints one table.

Each module exposes `run(quick: bool) -> list[dict]`; a row has the keys of ROW_KEYS (missing ones are
None). `ratio` is value / baseline unless the module sets it; `target` is a short text and `met` a bool
(or None when the figure has no target).
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any, Callable, Iterable

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
ROW_KEYS = ("group", "name", "value", "unit", "baseline_name", "baseline", "ratio", "target", "met", "note")
# A module's process is killed after this long, so one hang cannot stop the run.
MODULE_TIMEOUT_S = {True: 240, False: 3600}


def row(group: str, name: str, value: float | None, unit: str, *, baseline_name: str | None = None,
        baseline: float | None = None, ratio: float | None = None, target: str | None = None,
        met: bool | None = None, note: str | None = None) -> dict[str, Any]:
    """One figure of the table; the ratio defaults to value / baseline."""
    if ratio is None and value is not None and baseline:
        ratio = value / baseline
    return {"group": group, "name": name, "value": value, "unit": unit, "baseline_name": baseline_name,
            "baseline": baseline, "ratio": ratio, "target": target, "met": met, "note": note}


def describe(error: BaseException, limit: int = 400) -> str:
    """'Type: message (file.py:line)' of where it was raised, for a table note."""
    last = traceback.extract_tb(error.__traceback__)[-1:] if error.__traceback__ else []
    where = f" ({Path(last[0].filename).name}:{last[0].lineno})" if last else ""
    return f"{type(error).__name__}: {error}{where}"[:limit]


def error_row(group: str, error: str) -> dict[str, Any]:
    return row(group, "(failed)", None, "", note=error)


def median_ms(fn: Callable[[], Any], repeat: int, warmup: int = 1) -> float:
    """Median wall time of fn() in milliseconds, after `warmup` unmeasured calls."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


# --- the machine ---------------------------------------------------------------------------------

def machine_info() -> dict[str, Any]:
    info: dict[str, Any] = {
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "memory_gb": None,
        "python": platform.python_version(),
        "textual": _version("textual"),
        "os": f"{platform.system()} {platform.release()}",
        "date": dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds"),
        "commit": _git_commit(),
        "load_average": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    return info


def _version(dist: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _git_commit() -> str | None:
    """HEAD's short id, with "+changes" when tracked files differ from it (the figures are not that commit's)."""
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                             text=True, timeout=5)
        changed = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", "src", "bench"],
                                 cwd=REPO_ROOT, capture_output=True, text=True, timeout=5)
        commit = out.stdout.strip()
        return (commit + ("+changes" if changed.stdout.strip() else "")) or None
    except (OSError, subprocess.SubprocessError):
        return None


# --- discovery and running ----------------------------------------------------------------------

def discover(bench_dir: Path = BENCH_DIR) -> list[str]:
    """Module short names ('coldstart' for bench_coldstart.py), sorted."""
    return sorted(p.stem[len("bench_"):] for p in bench_dir.glob("bench_*.py"))


def select(names: list[str], only: Iterable[str] | None) -> list[str]:
    if not only:
        return names
    wanted = {n.removeprefix("bench_").removesuffix(".py") for n in only}
    return [n for n in names if n in wanted]


def run_module_inline(package: str, name: str, quick: bool) -> list[dict[str, Any]]:
    """Import and run one module in this process; errors become a failed row."""
    try:
        module = importlib.import_module(f"{package}.bench_{name}")
        rows = module.run(quick)
        return [_normalise(r, name) for r in rows] or [error_row(name, "module returned no rows")]
    except BaseException as error:  # noqa: BLE001 - a failing module must not stop the run
        if isinstance(error, KeyboardInterrupt):
            raise
        return [error_row(name, describe(error))]


def run_module_isolated(package_dir: Path, name: str, quick: bool, timeout: float | None = None) -> list[dict]:
    """Run one module in a child process (clean imports, no leaked state, killed on timeout)."""
    timeout = timeout or MODULE_TIMEOUT_S[quick]
    with tempfile.TemporaryDirectory(prefix="promptlab-bench-") as tmp:
        out = Path(tmp) / "rows.json"
        cmd = [sys.executable, "-m", "bench.harness", "--one", name, "--package-dir", str(package_dir),
               "--out", str(out)] + (["--quick"] if quick else [])
        try:
            proc = subprocess.run(cmd, cwd=package_dir.parent, timeout=timeout, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                  env=_child_env(package_dir))
        except subprocess.TimeoutExpired:
            return [error_row(name, f"timed out after {timeout:.0f} s")]
        if out.exists():
            return json.loads(out.read_text())
        tail = " | ".join(proc.stdout.strip().splitlines()[-3:])
        return [error_row(name, f"process exited {proc.returncode}: {tail}")]


def _child_env(package_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    paths = [str(package_dir.parent), str(REPO_ROOT)]
    env["PYTHONPATH"] = os.pathsep.join(paths + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    return env


def _normalise(r: dict[str, Any], module: str) -> dict[str, Any]:
    out = {key: r.get(key) for key in ROW_KEYS}
    out["group"] = out["group"] or module
    if out["ratio"] is None and isinstance(out["value"], (int, float)) and isinstance(out["baseline"], (int, float)) \
            and out["baseline"]:
        out["ratio"] = out["value"] / out["baseline"]
    return out


def ensure_tiktoken_cache() -> None:
    """Point tiktoken at a copy of ../shared/tiktoken-cache (no network here), as the tests do."""
    shared = REPO_ROOT.parent / "shared" / "tiktoken-cache"
    if "TIKTOKEN_CACHE_DIR" in os.environ or not shared.is_dir():
        return
    copy = Path(tempfile.gettempdir()) / "promptlab-bench-tiktoken"
    copy.mkdir(exist_ok=True)
    for item in shared.iterdir():
        if not (copy / item.name).exists():
            shutil.copy(item, copy / item.name)
    os.environ["TIKTOKEN_CACHE_DIR"] = str(copy)


# --- output -------------------------------------------------------------------------------------

def fmt_num(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        magnitude = abs(value)
        if magnitude >= 100:
            return f"{value:,.0f}"
        if magnitude >= 10:
            return f"{value:.1f}"
        if magnitude >= 0.1:
            return f"{value:.2f}"
        return f"{value:.3g}"
    return str(value)


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


TIME_UNITS = ("ns", "µs", "us", "ms", "s")


def _ratio_text(r: dict[str, Any]) -> str:
    """For times, how many times faster or slower than the baseline (whatever way the module put its ratio)."""
    value, base = r["value"], r["baseline"]
    if r["unit"] in TIME_UNITS and isinstance(value, (int, float)) and isinstance(base, (int, float)) \
            and value > 0 and base > 0:
        factor = value / base
        return f"{fmt_num(factor)}x slower" if factor >= 1 else f"{fmt_num(1 / factor)}x faster"
    return f"{fmt_num(r['ratio'])}x" if r["ratio"] is not None else "—"


def render_table(rows: list[dict[str, Any]], machine: dict[str, Any], quick: bool, elapsed_s: float) -> str:
    lines = [
        f"**Machine:** {machine['cpu']}, {machine['cores']} cores, {machine['memory_gb']} GB RAM, "
        f"{machine['os']}; Python {machine['python']}, Textual {machine['textual']}",
        f"**Run:** {machine['date']}, commit {machine['commit']}, mode {'quick' if quick else 'full'}, "
        f"{elapsed_s:.0f} s, load average {machine.get('load_average')} at start",
        "",
        "| figure | value | baseline | ratio | target | met | note |",
        "| --- | ---: | --- | ---: | --- | :---: | --- |",
    ]
    for r in rows:
        value = f"{fmt_num(r['value'])} {r['unit'] or ''}".strip() if r["value"] is not None else "—"
        baseline = "—"
        if r["baseline_name"] or r["baseline"] is not None:
            base_value = f"{fmt_num(r['baseline'])} {r['unit'] or ''}".strip() if r["baseline"] is not None else "—"
            baseline = f"{r['baseline_name'] or 'baseline'}: {base_value}"
        ratio = _ratio_text(r)
        met = {True: "yes", False: "**no**", None: "—"}[r["met"]]
        cells = [f"{r['group']}: {r['name']}", value, baseline, ratio, r["target"] or "—", met, r["note"] or ""]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)


def run_all(quick: bool, only: list[str] | None, json_path: Path, package_dir: Path = BENCH_DIR,
            isolated: bool = True, echo: Callable[[str], None] = print) -> list[dict[str, Any]]:
    ensure_tiktoken_cache()
    started = time.perf_counter()
    machine = machine_info()
    names = select(discover(package_dir), only)
    if only and not names:
        echo(f"no benchmark module matches {only}; available: {', '.join(discover(package_dir))}")
    rows: list[dict[str, Any]] = []
    for name in names:
        echo(f"… {name}")
        t0 = time.perf_counter()
        if isolated:
            module_rows = run_module_isolated(package_dir, name, quick)
        else:
            module_rows = run_module_inline(package_dir.name, name, quick)
        rows.extend(_normalise(r, name) for r in module_rows)
        echo(f"  {name}: {len(module_rows)} figure(s) in {time.perf_counter() - t0:.1f} s")
    elapsed = time.perf_counter() - started
    echo("")
    echo(render_table(rows, machine, quick, elapsed))
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps({"machine": machine, "quick": quick, "elapsed_s": round(elapsed, 1),
                                     "rows": rows}, indent=2, default=str) + "\n")
    echo(f"\nwrote {json_path}")
    return rows


def _child_main(argv: list[str]) -> int:
    """`python -m bench.harness --one NAME --package-dir DIR --out FILE [--quick]` (used by run_module_isolated)."""
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--one", required=True)
    parser.add_argument("--package-dir", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    ensure_tiktoken_cache()
    rows = run_module_inline(args.package_dir.name, args.one, args.quick)
    args.out.write_text(json.dumps(rows, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(_child_main(sys.argv[1:]))
