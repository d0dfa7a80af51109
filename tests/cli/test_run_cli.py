"""`promptlab run` as a script uses it: output, JSON, exit codes, and the history it leaves."""

from __future__ import annotations

import json
from datetime import UTC
from pathlib import Path

import pytest

from promptlab_tui.cli.main import main
from promptlab_tui.core.budget import BudgetSettings
from promptlab_tui.store.repository import HistoryRepository
from tests.conftest import requires_vocab
from tests.fakeprovider.behaviours import Behaviour


def prompt_file(folder: Path, name: str = "primes.md", text: str = "Name three primes.",
                model: str = "gpt-4o-mini", max_tokens: int = 64) -> str:
    path = folder / name
    path.write_text(f'+++\nmodel = "{model}"\nmax_tokens = {max_tokens}\nname = "{path.stem}"\n+++\n{text}\n',
                    encoding="utf-8")
    return str(path)


def set_budget(**fields: object) -> None:
    HistoryRepository().save_budget(BudgetSettings(timezone="UTC", **fields))  # type: ignore[arg-type]


def run_json(capsys, *argv: str) -> tuple[int, list[dict]]:
    code = main(["run", "--json", *argv])
    out = capsys.readouterr().out
    return code, [json.loads(line) for line in out.splitlines() if line.strip()]


def test_streams_the_answer_to_stdout_and_the_usage_line_to_stderr(fake_provider_env, tmp_path, capsys):
    fake_provider_env.script(Behaviour.reply("Two, three and five."))
    code = main(["run", prompt_file(tmp_path)])
    captured = capsys.readouterr()
    assert code == 0
    assert captured.out == "Two, three and five.\n"
    assert "gpt-4o-mini" in captured.err and " in, " in captured.err and " out" in captured.err
    assert "cost $" in captured.err and "estimate $" in captured.err
    (record,) = HistoryRepository().recent_runs()
    assert record.status == "completed" and record.prompt_name == "primes"


@requires_vocab  # exact counts: offline without the vocabularies they are approximate
def test_json_prints_one_object_with_usage_cost_and_estimate(fake_provider_env, tmp_path, capsys):
    fake_provider_env.script(Behaviour.reply("Two, three and five.", cached_tokens=3))
    code, (result,) = run_json(capsys, prompt_file(tmp_path))
    assert code == 0 and result["status"] == "completed" and result["text"] == "Two, three and five."
    assert result["usage"]["cached_input_tokens"] == 3 and result["usage"]["estimated"] is False
    record = HistoryRepository().get_run(result["run_id"])
    assert result["cost"]["total_nanos"] == record.cost_nanos > 0
    assert isinstance(result["cost_usd"], str) and result["estimate"]["input_exact"] is True
    assert result["estimate"]["worst_case_usd"] is not None


def test_refused_by_budget_exits_3_with_the_numbers(fake_provider_env, tmp_path, capsys):
    set_budget(daily_limit_nanos=1_000)  # $0.000001: less than any run's input
    code = main(["run", prompt_file(tmp_path)])
    err = capsys.readouterr().err
    assert code == 3
    assert "daily budget" in err and "$0.000001" in err and "may cost up to $" in err
    assert "raise the limit" in err and "wait for the reset" in err
    assert fake_provider_env.requests == [] and HistoryRepository().count_runs() == 0


def test_refusal_as_json_carries_the_numbers(fake_provider_env, tmp_path, capsys):
    set_budget(daily_limit_nanos=1_000)
    code, (result,) = run_json(capsys, prompt_file(tmp_path))
    assert code == 3 and result["status"] == "refused" and result["scope"] == "daily"
    assert result["limit_usd"] == "0.000001" and result["spent_usd"] == "0" and result["worst_case_usd"]
    assert result["suggestions"]


@requires_vocab  # exact counts: offline without the vocabularies they are approximate
def test_capped_flag_runs_what_fits_instead_of_refusing(fake_provider_env, tmp_path, capsys):
    from promptlab_tui.core.pricing import load_pricing, worst_case_cost
    from promptlab_tui.core.tokens import count_messages
    from promptlab_tui.core.types import ChatMessage

    price = load_pricing().resolve("gpt-4o-mini")
    input_tokens = count_messages([ChatMessage("user", "Name three primes.")], "gpt-4o-mini").tokens
    set_budget(daily_limit_nanos=worst_case_cost(price, input_tokens, 40))
    path = prompt_file(tmp_path, max_tokens=4000)

    assert main(["run", path]) == 3
    assert "--capped" in capsys.readouterr().err
    code, (result,) = run_json(capsys, "--capped", path)
    assert code == 0 and result["capped"] and result["max_tokens"] == 40 and result["requested_max_tokens"] == 4000
    assert fake_provider_env.last_request.body["max_tokens"] == 40


def test_per_run_cap_exits_3(fake_provider_env, tmp_path, capsys):
    code = main(["run", "--max-cost", "0.000001", prompt_file(tmp_path)])
    err = capsys.readouterr().err
    assert code == 3 and "per-run cap of $0.000001" in err
    assert fake_provider_env.requests == []


def test_session_cap_spans_the_files_of_one_invocation(fake_provider_env, tmp_path, capsys):
    first, second = prompt_file(tmp_path, "a.md", max_tokens=100), prompt_file(tmp_path, "b.md", max_tokens=100)
    code, results = run_json(capsys, first)
    one_run = int(results[0]["cost"]["total_nanos"])
    worst = results[0]["estimate"]["worst_case_usd"]
    # room for one run's worst case, and not for a second one after the first has spent
    code, results = run_json(capsys, "--max-session-cost", worst, first, second)
    assert code == 3
    assert [r["status"] for r in results] == ["completed", "refused"]
    assert results[1]["scope"] == "session" and int(results[0]["cost"]["total_nanos"]) == one_run
    assert HistoryRepository().count_runs() == 2


def test_provider_error_exits_4_with_a_clear_message_and_the_run_recorded(fake_provider_env, tmp_path, capsys):
    fake_provider_env.script(Behaviour.invalid_key())
    code = main(["run", prompt_file(tmp_path)])
    err = capsys.readouterr().err
    assert code == 4 and "rejected the API key" in err and "OPENAI_API_KEY" in err
    assert "sk-test" not in err  # the key itself is never shown
    (record,) = HistoryRepository().recent_runs()
    assert record.status == "error" and record.cost_nanos == 0


def test_unknown_model_at_the_provider_exits_4(fake_provider_env, tmp_path, capsys):
    code = main(["run", "--model", "no-such-model", "--provider", "openai", prompt_file(tmp_path)])
    assert code == 4 and "does not know the model" in capsys.readouterr().err


def test_missing_key_exits_4_and_says_which_variable(fake_provider, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", fake_provider.openai_base_url)
    code = main(["run", prompt_file(tmp_path)])
    assert code == 4 and "OPENAI_API_KEY" in capsys.readouterr().err
    assert HistoryRepository().count_runs() == 0  # never reserved: no 'error' run of $0


def test_missing_key_as_json_says_nothing_was_recorded(fake_provider, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", fake_provider.openai_base_url)
    code, (result,) = run_json(capsys, prompt_file(tmp_path))
    assert code == 4 and result["status"] == "error" and result["reason"] == "MissingApiKey"
    assert "OPENAI_API_KEY" in result["error"] and result["recorded"] is False
    assert HistoryRepository().count_runs() == 0


def test_an_unknown_provider_exits_4_and_leaves_no_run(fake_provider_env, tmp_path, capsys):
    code = main(["run", "--provider", "nosuch", prompt_file(tmp_path)])
    assert code == 4 and "Unknown provider 'nosuch'" in capsys.readouterr().err
    assert HistoryRepository().count_runs() == 0 and fake_provider_env.requests == []


def test_the_budget_line_counts_the_runs_without_a_price(fake_provider_env, tmp_path, capsys, isolated_home):
    (isolated_home / "config.toml").write_text("allow_unpriced_models = true\n", encoding="utf-8")  # hard mode
    set_budget(daily_limit_nanos=1_000_000_000)
    fake_provider_env.default = Behaviour.reply("ok")
    unpriced = prompt_file(tmp_path, "house.md", model="house-llm")
    for _ in range(2):
        assert main(["run", "--provider", "openai", unpriced]) == 0
    capsys.readouterr()
    assert main(["run", prompt_file(tmp_path)]) == 0
    err = capsys.readouterr().err
    spent = HistoryRepository().total_spend().cost_nanos
    assert spent > 0
    from promptlab_tui.core.money import format_usd

    assert f"daily budget: {format_usd(spent, beside=1_000_000_000)} + 2 runs without a price of $1" in err
    code, (result,) = run_json(capsys, prompt_file(tmp_path))
    (daily,) = result["budget"]
    assert code == 0 and daily["unpriced_runs"] == 2 and daily["spent"].endswith(" + 2 runs without a price")


def test_a_run_applies_the_retention_policy_to_old_runs(fake_provider_env, tmp_path, capsys, isolated_home):
    from datetime import datetime, timedelta

    from promptlab_tui.core.history import PendingRun
    from promptlab_tui.core.types import CostBreakdown, Usage

    repo = HistoryRepository()
    old = datetime.now(UTC) - timedelta(days=40)
    reservation = repo.reserve_run(PendingRun("openai", "gpt-4o-mini", 64, 11, 20, 10_000, 40_000,
                                              prompt_text="an old secret prompt", created_at=old), None)
    repo.settle_run(reservation.run_id, Usage(input_tokens=11, output_tokens=6),
                    CostBreakdown(input_nanos=1_650, output_nanos=3_600), "completed",
                    response_text="an old answer", finished_at=old)
    repo.close()
    (isolated_home / "config.toml").write_text("retention_days = 30\n", encoding="utf-8")

    fake_provider_env.script(Behaviour.reply("fresh answer"))
    assert main(["run", prompt_file(tmp_path)]) == 0
    history = HistoryRepository()
    kept = history.get_run(reservation.run_id)
    assert kept.prompt_text is None and kept.response_text is None  # the text is dropped
    assert (kept.input_tokens, kept.output_tokens, kept.cost_nanos) == (11, 6, 5_250)  # the numbers are kept
    (fresh_id,) = [r.id for r in history.recent_runs() if r.id != reservation.run_id]
    fresh = history.get_run(fresh_id)
    assert fresh.response_text == "fresh answer" and fresh.prompt_text


@pytest.mark.parametrize("argv, expected", [
    (["run", "missing.md"], "missing.md"),
    (["run", "--max-tokens", "0", "{file}"], "--max-tokens must be between 1 and"),
    (["run", "{file}", "{bad}"], "bad.md"),
])
def test_bad_input_exits_2_before_anything_runs(fake_provider_env, tmp_path, capsys, argv, expected):
    good = prompt_file(tmp_path)
    bad = tmp_path / "bad.md"
    bad.write_text('+++\nmodel = 42\nmax_tokens = "many"\n+++\nhello\n', encoding="utf-8")
    code = main([a.format(file=good, bad=bad) for a in argv])
    assert code == 2 and expected in capsys.readouterr().err
    assert fake_provider_env.requests == []


def test_several_files_print_a_header_before_each_answer(fake_provider_env, tmp_path, capsys):
    fake_provider_env.default = Behaviour.reply("ok")
    code = main(["run", prompt_file(tmp_path, "a.md"), prompt_file(tmp_path, "b.md")])
    out = capsys.readouterr().out
    assert code == 0 and out.count("ok\n") == 2 and "==> " in out and "a.md <==" in out
    assert HistoryRepository().count_runs() == 2


def test_an_openai_compatible_endpoint_from_the_config_runs_with_no_price(fake_provider, tmp_path, capsys,
                                                                          isolated_home):
    (isolated_home / "config.toml").write_text(
        f'[providers.local]\nkind = "openai-compatible"\nbase_url = "{fake_provider.openai_base_url}"\n'
        'requires_key = false\n', encoding="utf-8")
    fake_provider.require_key = False
    fake_provider.script(Behaviour.reply("local answer"))
    code = main(["run", "--provider", "local", "--model", "llama3.1:8b", prompt_file(tmp_path)])
    captured = capsys.readouterr()
    assert code == 0 and captured.out == "local answer\n"
    assert "cost no price" in captured.err and "llama3.1:8b @ local" in captured.err
    (record,) = HistoryRepository().recent_runs()
    assert record.provider == "local" and record.cost_nanos is None and record.status == "completed"


class _Terminal:
    """stderr as a terminal: `run` shows the running cost there only when someone is watching."""

    def __init__(self) -> None:
        self.written: list[str] = []

    def write(self, text: str) -> int:
        self.written.append(text)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return True


def test_a_streaming_run_shows_its_running_cost_at_a_terminal(fake_provider_env, tmp_path, monkeypatch):
    from promptlab_tui.core.money import format_usd
    from promptlab_tui.core.pricing import cost_of_usage, load_pricing
    from promptlab_tui.core.types import Usage

    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    fake_provider_env.script(Behaviour.slow(0.06, "one two three four five six seven eight nine ten"))
    assert main(["run", prompt_file(tmp_path)]) == 0
    live = [text for text in terminal.written if "so far" in text]
    assert live, "no running cost was shown while the answer streamed"
    (record,) = HistoryRepository().recent_runs()
    price = load_pricing().resolve("gpt-4o-mini", "openai")
    import re

    first = int(re.search(r"\[~?([\d,]+) tokens", live[0]).group(1).replace(",", ""))
    expected = cost_of_usage(price, Usage(input_tokens=record.estimate_input_tokens, output_tokens=first)).total_nanos
    assert f"{format_usd(expected)} so far" in live[0]


def test_several_files_end_with_the_sessions_total(fake_provider_env, tmp_path, capsys):
    from promptlab_tui.core.money import format_usd

    fake_provider_env.default = Behaviour.reply("ok")
    assert main(["run", prompt_file(tmp_path, "a.md"), prompt_file(tmp_path, "b.md")]) == 0
    err = capsys.readouterr().err
    total = sum(run.cost_nanos for run in HistoryRepository().recent_runs())
    assert err.rstrip().splitlines()[-1] == f"session: 2 run(s), {format_usd(total)} in total"
