"""`promptlab compare`: several models at once, each a recorded run; a cap that fits two of three models."""

from __future__ import annotations

import json

from promptlab_tui.cli.main import main
from promptlab_tui.core.money import format_usd, usd_string
from promptlab_tui.store import run_links
from promptlab_tui.store.repository import HistoryRepository
from tests.choice.helpers import prompt_tokens, tokens_of, write_prompt
from tests.conftest import requires_vocab
from tests.fakeprovider.behaviours import Behaviour

TEXT = "Name three primes."
MODELS = "gpt-4o-mini,gpt-4.1-mini,gpt-4o"


def _compare_json(capsys, *argv: str) -> tuple[int, dict]:
    code = main(["compare", "--json", *argv])
    return code, json.loads(capsys.readouterr().out)


@requires_vocab
def test_a_cap_that_fits_two_of_three_refuses_the_third_before_its_call(fake_provider_env, tmp_path, capsys):
    fake_provider_env.default = Behaviour.reply("2, 3, 5")
    path = write_prompt(tmp_path, "primes.md", TEXT, model="gpt-4o-mini", max_tokens=1000)
    n = prompt_tokens(TEXT)
    worst_mini, worst_41 = n * 150 + 1000 * 600, n * 400 + 1000 * 1_600  # $0.15/$0.60 and $0.40/$1.60 per M
    # gpt-4o's worst case alone ($0.01 of output) is more than what is left after the two small ones.
    code, data = _compare_json(capsys, "--models", MODELS, "--max-cost", usd_string(worst_mini + worst_41), path)
    assert code == 3
    results = data["results"]
    assert [(r["model"], r["status"]) for r in results] == [
        ("gpt-4o-mini", "completed"), ("gpt-4.1-mini", "completed"), ("gpt-4o", "refused")]
    assert results[2]["scope"] == "compare" and results[2]["worst_case_usd"] == usd_string(n * 2_500 + 1000 * 10_000)
    # named as the compare set's --max-cost, not as a session budget the user never set
    assert results[2]["error"].startswith("over the compare set's cap (--max-cost) of $") and \
        "session" not in results[2]["error"]
    assert results[2]["suggestions"][0] == "raise the compare set's cap (--max-cost USD on compare), or compare fewer models"
    assert sorted(r.body["model"] for r in fake_provider_env.requests) == ["gpt-4.1-mini", "gpt-4o-mini"]
    out = tokens_of("2, 3, 5")
    costs = [n * 150 + out * 600, n * 400 + out * 1_600]
    assert [int(r["cost"]["total_nanos"]) for r in results[:2]] == costs
    assert data["total_cost_usd"] == usd_string(sum(costs))
    history = HistoryRepository()
    assert sorted(r.cost_nanos for r in history.recent_runs()) == sorted(costs)
    links = run_links.group(history.db, data["group_id"])
    assert [(link.source, link.position) for link in links] == [("compare", 0), ("compare", 1)]
    assert all("latency_s" in r for r in results[:2])


def test_the_text_refusal_names_max_cost_and_the_compare_set_not_a_session_budget(fake_provider_env, tmp_path,
                                                                                   capsys):
    fake_provider_env.default = Behaviour.reply("ok")
    path = write_prompt(tmp_path, "primes.md", TEXT, model="gpt-4o-mini", max_tokens=1000)
    # gpt-4o-mini's worst case (1,000 x $0.60/M of output, plus its input) fits; gpt-4o's ($0.01 of output) does not
    assert main(["compare", "--models", "gpt-4o-mini,gpt-4o", "--max-cost", "0.002", path]) == 3
    out = capsys.readouterr().out
    refused = out[out.index("==> gpt-4o <=="):]
    assert "not run: over the compare set's cap (--max-cost) of $0.002000: $" in refused
    assert "left after the models before it; this run may cost up to $0.01" in refused
    assert "- raise the compare set's cap (--max-cost USD on compare), or compare fewer models" in refused
    assert "session" not in refused
    assert [r.body["model"] for r in fake_provider_env.requests] == ["gpt-4o-mini"]


@requires_vocab
def test_text_output_prints_each_answer_then_the_summary_table(fake_provider_env, tmp_path, capsys):
    fake_provider_env.default = Behaviour.reply("2, 3, 5")
    path = write_prompt(tmp_path, "primes.md", TEXT, model="gpt-4o-mini")
    assert main(["compare", "--models", "gpt-4o-mini,claude-haiku-4.5", path]) == 0
    out = capsys.readouterr().out
    assert out.index("==> gpt-4o-mini <==") < out.index("==> claude-haiku-4.5 <==") < out.index("model ")
    assert out.count("2, 3, 5\n") == 2
    history = HistoryRepository()
    total = history.total_spend().cost_nanos
    table = out[out.index("model "):].splitlines()
    assert table[0].split() == ["model", "status", "in", "out", "cost", "estimate", "error", "latency"]
    assert table[-1].split() == ["total", format_usd(total)]


def test_a_single_model_is_bad_input(fake_provider_env, tmp_path, capsys):
    assert main(["compare", "--models", "gpt-4o", write_prompt(tmp_path, "p.md")]) == 2
    assert "two or more models" in capsys.readouterr().err


def test_marks_become_recommendations(fake_provider_env, tmp_path, capsys):
    from promptlab_tui.services.compare import mark_better, recommendations
    from promptlab_tui.services.runner import RunService

    fake_provider_env.default = Behaviour.reply("ok")
    path = write_prompt(tmp_path, "summarise.md", "Summarise: the sky is blue.", model="gpt-4o-mini")
    service = RunService()
    for winner in ("gpt-4o-mini", "gpt-4o-mini", "gpt-4o"):
        code, data = _compare_json(capsys, "--models", "gpt-4o-mini,gpt-4o", path)
        assert code == 0
        run_id = next(r["run_id"] for r in data["results"] if r["model"] == winner)
        assert mark_better(service, data["group_id"], run_id)
    lines = recommendations(service)
    mini = next(line for line in lines if "gpt-4o-mini" in line)
    # gpt-4o-mini costs 6 % of gpt-4o at these prices ($0.15/$0.60 against $2.50/$10 per M)
    assert mini == "on prompt summarise, gpt-4o-mini won 2 of 3 comparisons at 6 % of the cost"
