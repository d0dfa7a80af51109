"""`promptlab run` over several files or a folder: --max-total-cost, the files' session_budget, the report."""

from __future__ import annotations

from promptlab_tui.cli.main import main
from promptlab_tui.core.money import format_usd, usd_string
from promptlab_tui.store import run_links
from promptlab_tui.store.repository import HistoryRepository
from tests.choice.helpers import prompt_tokens, run_json, tokens_of, write_prompt
from tests.conftest import requires_vocab
from tests.fakeprovider.behaviours import Behaviour

TEXTS = ["Name three primes.", "Name two colours.", "Name one ocean."]


def _files(folder):
    return [write_prompt(folder, f"{i}-{text.split()[2].strip('.')}.md", text, model="gpt-4o-mini")
            for i, text in enumerate(TEXTS)]


def _actual(text: str, reply: str) -> int:
    return prompt_tokens(text) * 150 + tokens_of(reply) * 600  # gpt-4o-mini: $0.15 in, $0.60 out per M


def _worst(text: str, max_tokens: int = 64) -> int:
    return prompt_tokens(text) * 150 + max_tokens * 600


@requires_vocab
def test_max_total_cost_stops_before_the_run_that_could_pass_it(fake_provider_env, tmp_path, capsys):
    fake_provider_env.default = Behaviour.reply("ok")
    files = _files(tmp_path)
    first, second = _actual(TEXTS[0], "ok"), _actual(TEXTS[1], "ok")
    cap = first + second + _worst(TEXTS[2]) - 1  # room for the third's worst case is one nano-dollar short
    code = main(["run", "--max-total-cost", usd_string(cap), str(tmp_path)])  # the folder: its files by name
    err = capsys.readouterr().err
    assert code == 3 and len(fake_provider_env.requests) == 2
    assert f"batch: 2 of 3 file(s) ran, total {format_usd(first + second)} (--max-total-cost {format_usd(cap)})" in err
    assert f"  ran      {files[0]}  {format_usd(first)}" in err and f"  ran      {files[1]}  {format_usd(second)}" in err
    assert f"  not run  {files[2]}  (refused: it could pass the limit)" in err
    # the refusal names the cap the user set, not a session budget
    assert f"refused: over the batch's --max-total-cost of {format_usd(cap)}: $" in err
    assert "left after the files before it; this run may cost up to" in err and "session budget" not in err
    assert "  - raise --max-total-cost USD, or run fewer files" in err
    history = HistoryRepository()
    runs = history.recent_runs()
    assert sorted(r.cost_nanos for r in runs) == sorted([first, second])  # the hand sums, row by row
    links = [run_links.get(history.db, r.id) for r in runs]
    assert {link.source for link in links} == {"batch"} and len({link.group_id for link in links}) == 1
    assert sorted(link.position for link in links) == [0, 1]


@requires_vocab
def test_the_batch_summary_in_json(fake_provider_env, tmp_path, capsys):
    fake_provider_env.default = Behaviour.reply("ok")
    files = _files(tmp_path)
    first = _actual(TEXTS[0], "ok")
    cap = first + _worst(TEXTS[1]) - 1
    code, results = run_json(capsys, "--max-total-cost", usd_string(cap), *files)
    assert code == 3
    assert [r.get("status") for r in results] == ["completed", "refused", "not_run", None]
    summary = results[-1]
    assert summary == {"batch": True, "ran": files[:1], "not_run": files[1:], "total_usd": usd_string(first),
                       "max_total_usd": usd_string(cap)}


@requires_vocab
def test_a_files_session_budget_caps_the_whole_invocation(fake_provider_env, tmp_path, capsys):
    fake_provider_env.default = Behaviour.reply("ok")
    first = _actual(TEXTS[0], "ok")
    budget = first + _worst(TEXTS[1]) - 1
    a = write_prompt(tmp_path, "a.md", TEXTS[0], model="gpt-4o-mini", session_budget=usd_string(budget))
    b = write_prompt(tmp_path, "b.md", TEXTS[1], model="gpt-4o-mini")
    code, results = run_json(capsys, a, b)
    assert code == 3 and [r["status"] for r in results] == ["completed", "refused"]
    assert results[1]["scope"] == "session" and len(fake_provider_env.requests) == 1


def test_an_empty_folder_is_bad_input(fake_provider_env, tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["run", str(tmp_path / "empty")]) == 2
    assert "no prompt files in this folder" in capsys.readouterr().err
