"""A cache hit and auto's reason, recorded with the run, are shown afterwards: `history` (text and --json), the
run-detail service, and `estimate --json` (with `--quality` / `--max-cost` as `run` has them)."""

from __future__ import annotations

import json

import pytest

from promptlab_tui.cli.main import main
from promptlab_tui.core.money import format_usd, usd_string
from promptlab_tui.services.context import ServiceContext
from promptlab_tui.services.run_detail import load_detail
from tests.choice.helpers import prompt_tokens, run_json, write_prompt
from tests.conftest import requires_vocab
from tests.fakeprovider.behaviours import Behaviour

TEXT = "Name three primes."


def history_json(capsys) -> list[dict]:
    assert main(["history", "--json"]) == 0
    return json.loads(capsys.readouterr().out)["runs"]


def test_history_and_run_detail_show_a_cache_hit_and_what_it_saved(fake_provider_env, tmp_path, capsys):
    fake_provider_env.default = Behaviour.reply("2, 3, 5")
    path = write_prompt(tmp_path, "p.md", model="gpt-4o-mini", cache=True)
    _, (first,) = run_json(capsys, path)
    _, (hit,) = run_json(capsys, path)
    assert hit["estimate_error_pct"] is None and first["estimate_error_pct"] is not None
    saved = int(first["cost"]["total_nanos"])
    assert saved > 0

    runs = {run["id"]: run for run in history_json(capsys)}
    assert runs[hit["run_id"]]["cache_hit"] == {"cache_of": first["run_id"], "saved_nanos": saved,
                                               "saved_usd": usd_string(saved)}
    assert runs[hit["run_id"]]["link"]["source"] == "cache"
    assert runs[first["run_id"]]["cache_hit"] is None and runs[first["run_id"]]["link"] is None

    assert main(["history"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].rstrip().endswith(f"cache hit, saved {format_usd(saved)}")  # newest first: the hit
    assert lines[2].rstrip().endswith("completed")

    context = ServiceContext()
    try:
        detail = load_detail(context, hit["run_id"])
    finally:
        context.close()
    assert detail.origin is not None and detail.origin.cache_of == first["run_id"]
    assert detail.origin.saved_nanos == saved
    assert ("Cache hit", f"the answer of run {first['run_id'][:8]}, $0 (saved {format_usd(saved)})") in detail.facts
    assert ("Error", "— (a cache hit: nothing was billed)") in detail.facts  # not -100 %


@requires_vocab
def test_autos_reason_is_in_history_the_run_detail_and_estimate(only_fake_keys, tmp_path, capsys):
    only_fake_keys.script(Behaviour.reply("2, 3, 5"))
    path = write_prompt(tmp_path, "auto.md", TEXT, model="auto", quality="medium", max_cost=0.01, max_tokens=100)
    _, (result,) = run_json(capsys, path)
    reason = result["selection"]
    assert reason.startswith("auto: gpt-4o-mini (openai, quality medium)")

    (shown,) = history_json(capsys)
    assert shown["selection"] == reason and shown["link"]["source"] == "auto" and shown["cache_hit"] is None
    context = ServiceContext()
    try:
        detail = load_detail(context, result["run_id"])
    finally:
        context.close()
    assert detail.origin.selection == reason and ("Auto pick", reason) in detail.facts

    assert main(["estimate", "--json", path]) == 0
    estimate = json.loads(capsys.readouterr().out)
    assert estimate["selection"] == reason
    assert estimate["model"] == "gpt-4o-mini" and estimate["quality"] == "medium"
    assert estimate["max_cost_usd"] == "0.01"


@requires_vocab
def test_estimate_takes_quality_and_max_cost_as_run_does(only_fake_keys, tmp_path, capsys):
    path = write_prompt(tmp_path, "auto.md", TEXT, model="auto", quality="low", max_tokens=100)
    worst_mini = prompt_tokens(TEXT) * 150 + 100 * 600  # gpt-4o-mini by hand: $0.15/M in, $0.60/M out

    assert main(["estimate", "--json", "--quality", "medium", path]) == 0
    medium = json.loads(capsys.readouterr().out)
    assert medium["quality"] == "medium" and medium["model"] == "gpt-4o-mini"
    assert medium["selection"].startswith("auto: gpt-4o-mini (openai, quality medium)")

    # the same cap as run's --max-cost: one nano-dollar under gpt-4o-mini's worst case refuses both
    below = usd_string(worst_mini - 1)
    assert main(["estimate", "--quality", "medium", "--max-cost", below, path]) == 3
    assert main(["run", "--quality", "medium", "--max-cost", below, path]) == 3
    err = capsys.readouterr().err
    assert err.count("no model of quality medium or better fits max_cost") == 2
    assert main(["estimate", "--json", "--quality", "medium", "--max-cost", usd_string(worst_mini), path]) == 0
    assert json.loads(capsys.readouterr().out)["max_cost_usd"] == usd_string(worst_mini)

    plain = write_prompt(tmp_path, "plain.md", TEXT, model="gpt-4o-mini", max_tokens=100)
    assert main(["estimate", "--json", "--max-cost", below, plain]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["selection"] is None and "over the per-run cap" in data["notes"][0]
    with pytest.raises(SystemExit) as stopped:
        main(["estimate", "--max-cost", "abc", plain])
    assert stopped.value.code == 2 and "expected an amount in USD" in capsys.readouterr().err
    assert only_fake_keys.requests == []
