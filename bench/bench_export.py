"""`promptlab export` of a synthetic history (1M runs full, 20K quick): time and peak memory.

Baseline, measured in the same run on the same file: the `sqlite3` command-line shell (`-csv -header`, its
`.mode csv`) dumping the very same SELECT that the CSV export runs (the same columns, formatted the same
way by SQLite), to a file. Both sides are whole processes, timed alternately, medians; peak memory is the
export process's max RSS (GNU time's %M). Needs the `sqlite3` shell (Debian package `sqlite3`).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import describe, row

GROUP = "export"
SIZE_FULL, SIZE_QUICK = 1_000_000, 20_000
RSS_LIMIT_MB = 150


def promptlab_cmd() -> list[str]:
    script = Path(sys.executable).with_name("promptlab")
    return [str(script)] if script.exists() else [sys.executable, "-m", "promptlab_tui"]


TIME = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)


def _timed(cmd: list[str], env: dict[str, str], stdin_path: Path | None = None,
           stdout_path: Path | None = None) -> tuple[float, float, float]:
    """(seconds, max RSS in MB, CPU seconds of user and system) of one process.

    The RSS comes from GNU time, which forks the command from its own small process: a child forked straight
    from this (larger) process would report this process's size, which Linux keeps as its peak across exec.
    """
    rss_file = None
    if TIME is not None:
        handle, rss_file = tempfile.mkstemp(prefix="promptlab-rss-")
        os.close(handle)
        cmd = [TIME, "-f", "%M", "-o", rss_file, *cmd]
    stdin = stdin_path.open("rb") if stdin_path else subprocess.DEVNULL
    stdout = stdout_path.open("wb") if stdout_path else subprocess.DEVNULL
    try:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read().decode() if proc.stderr else ""
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd[:3])} exited {proc.returncode}: {err.strip()[-300:]}")
        cpu = usage.ru_utime + usage.ru_stime  # the waited process and the children it waited for
        if rss_file is not None:
            peak_kb = int(Path(rss_file).read_text().split()[-1])
            os.unlink(rss_file)
            return elapsed, peak_kb / 1024, cpu
        return elapsed, usage.ru_maxrss / 1024, cpu
    finally:
        for handle in (stdin, stdout):
            if hasattr(handle, "close"):
                handle.close()


def _measure(n: int, quick: bool) -> list[dict]:
    from promptlab_tui.store.export_queries import ExportFilter, csv_sql

    from bench.synthetic import cached_fill

    shell = shutil.which("sqlite3")
    if shell is None:
        return [row(GROUP, "export", None, "s", note="the sqlite3 shell is not installed (apt-get install sqlite3)")]
    repeat = 3  # the three sides alternate, so each median is of rounds under the same conditions
    label = f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}K"
    rows = []
    with tempfile.TemporaryDirectory(prefix="promptlab-export-") as home:
        cached_fill(n, home)  # a private copy of the cached history (the copy also warms the page cache)
        db = Path(home) / "promptlab.db"
        sql, params = csv_sql(ExportFilter())
        assert not params
        script = Path(home) / "dump.sql"
        script.write_text(sql + ";\n", encoding="utf-8")
        env = dict(os.environ, PROMPTLAB_HOME=home)
        out = Path(home) / "out.csv"
        times: dict[str, list[float]] = {"shell": [], "csv": [], "focus": []}
        cpu: dict[str, list[float]] = {"shell": [], "csv": [], "focus": []}
        rss: dict[str, float] = {"csv": 0.0, "focus": 0.0}
        # Warm-up: copying the file put it in the page cache; an empty export of each kind compiles the bytecode
        # (a whole first round at 1M runs would add a minute for nothing).
        future = "2999-01-01"
        for fmt in ("csv", "focus"):
            _timed(promptlab_cmd() + ["export", "--format", fmt, "--since", future, "-o", str(out)], env)
        for _ in range(repeat):
            taken = {
                "shell": _timed([shell, "-csv", "-header", str(db)], env, stdin_path=script, stdout_path=out),
                "csv": _timed(promptlab_cmd() + ["export", "--format", "csv", "-o", str(out)], env),
                "focus": _timed(promptlab_cmd() + ["export", "--format", "focus", "-o", str(out)], env),
            }
            for name, (seconds, peak, used) in taken.items():
                times[name].append(seconds)
                cpu[name].append(used)
                if name in rss:
                    rss[name] = max(rss[name], peak)
        shell_s = statistics.median(times["shell"])
        shell_cpu = statistics.median(cpu["shell"])
        for name, limit in (("csv", 1.5), ("focus", 2.5)):
            value = statistics.median(times[name])
            rows.append(row(GROUP, f"{label}: `promptlab export --format {name} -o FILE`", value, "s",
                            baseline_name="sqlite3 shell .mode csv, same SELECT", baseline=shell_s,
                            target=f"<= {limit}x", met=value <= limit * shell_s,
                            note=f"whole process, median of {repeat}; CPU {statistics.median(cpu[name]):.1f} s "
                                 f"(one thread builds the lines, the main one writes them) against the shell's {shell_cpu:.1f} s"))
            rows.append(row(GROUP, f"{label}: export --format {name}, peak memory", rss[name], "MB",
                            target=f"< {RSS_LIMIT_MB} MB", met=rss[name] < RSS_LIMIT_MB, note="max RSS"))
    return rows


def run(quick: bool) -> list[dict]:
    n = SIZE_QUICK if quick else SIZE_FULL
    try:
        return _measure(n, quick)
    except Exception as error:  # noqa: BLE001 - shown in the table
        return [row(GROUP, "export", None, "s", note=describe(error))]
