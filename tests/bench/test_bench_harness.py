"""`python -m bench` machinery: discovery, one table with failures shown in it, JSON, the pty frame timer."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bench.harness import REPO_ROOT, run_all
from bench.ptyframe import NoFrame, first_frame_ms, terminal_env, texts_on_screen_ms

OK_MODULE = '''
from bench.harness import row

def run(quick):
    return [row("demo", "fast thing", 2.0, "ms", baseline_name="slow thing", baseline=8.0,
                target="≥ 2x faster", met=True, note=f"quick={quick}")]
'''
BROKEN_MODULE = '''
def run(quick):
    raise RuntimeError("the app is not ready yet")
'''
MISSING_IMPORT_MODULE = '''
import promptlab_tui.no_such_module

def run(quick):
    return []
'''


@pytest.fixture
def fake_bench(tmp_path: Path) -> Path:
    package = tmp_path / "fakebench"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "bench_ok.py").write_text(OK_MODULE)
    (package / "bench_broken.py").write_text(BROKEN_MODULE)
    (package / "bench_missing.py").write_text(MISSING_IMPORT_MODULE)
    return package


def test_a_failing_module_shows_its_error_in_the_table_and_the_run_goes_on(fake_bench: Path, tmp_path: Path):
    printed: list[str] = []
    out = tmp_path / "results.json"
    rows = run_all(quick=True, only=None, json_path=out, package_dir=fake_bench, echo=printed.append)
    table = "\n".join(printed)

    assert "| demo: fast thing | 2.00 ms | slow thing: 8.00 ms | 4.00x faster | ≥ 2x faster | yes | quick=True |" in table
    assert "RuntimeError: the app is not ready yet" in table
    assert "ModuleNotFoundError" in table and "no_such_module" in table
    assert "Python" in table and "cores" in table  # the machine is named above the table
    saved = json.loads(out.read_text())
    assert saved["quick"] is True and saved["machine"]["cores"]
    assert [r["group"] for r in saved["rows"]] == ["broken", "missing", "demo"]  # module order: broken, missing, ok
    assert rows == saved["rows"]


def test_only_runs_the_named_modules(fake_bench: Path, tmp_path: Path):
    rows = run_all(quick=True, only=["ok"], json_path=tmp_path / "r.json", package_dir=fake_bench,
                   echo=lambda line: None)
    assert [r["name"] for r in rows] == ["fast thing"]


def test_the_command_line_lists_modules_when_none_matches(tmp_path: Path):
    result = subprocess.run([sys.executable, "-m", "bench", "--quick", "--only", "nothing-like-this",
                             "--json", str(tmp_path / "r.json")], cwd=REPO_ROOT, capture_output=True,
                            text=True, timeout=60)
    assert "no benchmark module matches" in result.stdout
    assert "coldstart" in result.stdout


def _script(tmp_path: Path, body: str) -> list[str]:
    path = tmp_path / "fake_app.py"
    path.write_text(textwrap.dedent(body))
    return [sys.executable, str(path)]


def test_first_frame_is_the_alternate_screen_plus_3000_bytes(tmp_path: Path):
    argv = _script(tmp_path, """
        import os, sys, time
        size = os.get_terminal_size()
        sys.stdout.write("\\x1b[?1049h" + f"{size.columns}x{size.lines}" + "#" * 3000)
        sys.stdout.flush()
        time.sleep(30)  # killed by the timer once the frame is seen
    """)
    assert first_frame_ms(argv, terminal_env(), timeout_s=20) > 0


def test_a_program_that_exits_before_painting_is_reported(tmp_path: Path):
    argv = _script(tmp_path, """
        import sys
        sys.stdout.write("\\x1b[?1049h" + "short frame")
        sys.exit("crashed while mounting")
    """)
    with pytest.raises(NoFrame, match="crashed while mounting"):
        first_frame_ms(argv, terminal_env(), timeout_s=20)


def test_text_on_screen_is_found_through_colours_and_cursor_moves(tmp_path: Path):
    argv = _script(tmp_path, """
        import sys, time
        sys.stdout.write("\\x1b[?1049h\\x1b[1;1H\\x1b[38;2;1;2;3mMonthly \\x1b[1m$30\\x1b[0m.00\\x1b[2;1H")
        sys.stdout.flush()
        time.sleep(0.3)
        sys.stdout.write("\\x1b[5;3H\\x1b[2mType a prompt to see its cost.\\x1b[0m")
        sys.stdout.flush()
        time.sleep(30)  # killed once both texts are seen
    """)
    found = texts_on_screen_ms(argv, terminal_env(), ["$30.00", "Type a prompt to see its cost."], timeout_s=20)
    assert found["Type a prompt to see its cost."] >= found["$30.00"] + 250


def test_a_text_that_never_shows_is_reported(tmp_path: Path):
    argv = _script(tmp_path, """
        import sys
        sys.stdout.write("\\x1b[?1049hLoading prices and tokenizer")
        sys.exit(0)
    """)
    with pytest.raises(NoFrame, match="Type a prompt"):
        texts_on_screen_ms(argv, terminal_env(), ["Type a prompt"], timeout_s=20)
