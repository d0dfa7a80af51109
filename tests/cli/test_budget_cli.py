"""`promptlab budget show|set` and `promptlab alerts`, as a user types them."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from promptlab_tui.cli.main import main
from promptlab_tui.core.budget import BudgetSettings
from promptlab_tui.core.history import PendingRun
from promptlab_tui.core.types import CostBreakdown, Usage
from promptlab_tui.store.repository import HistoryRepository

UTC = timezone.utc
DOLLAR = 1_000_000_000


def spend(nanos: int | None, when: datetime | None = None) -> None:
    repo = HistoryRepository()
    reservation = repo.reserve_run(PendingRun("openai", "gpt-4o-mini", 100, 10, 10, None, None,
                                              created_at=when), None, now=when)
    repo.settle_run(reservation.run_id, Usage(input_tokens=10, output_tokens=10),
                    None if nanos is None else CostBreakdown(output_nanos=nanos), "completed")
    repo.close()


def test_set_then_show_in_text_and_json(capsys):
    assert main(["budget", "set", "--daily", "5", "--monthly", "$50", "--thresholds", "50,75,100",
                 "--mode", "warn", "--max-tokens-per-prompt", "8000", "--max-cost-per-run", "0.25",
                 "--timezone", "America/New_York"]) == 0
    out = capsys.readouterr().out
    assert "warn mode" in out and "50/75/100%" in out and "America/New_York" in out
    assert "$5.00" in out and "$50.00" in out and "8,000" in out and "$0.25" in out

    spend(DOLLAR + DOLLAR // 4)
    spend(None)
    assert main(["budget", "show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["budget_set"] and shown["mode"] == "warn" and shown["thresholds"] == [50, 75, 100]
    assert shown["max_cost_per_run_usd"] == "0.25" and shown["max_tokens_per_prompt"] == 8000
    daily = shown["periods"][0]
    assert daily["period"] == "daily" and daily["limit_usd"] == "5" and daily["spent_usd"] == "1.25"
    assert shown["periods"][2]["limit_usd"] == "50"  # plain notation, never '5E+1'
    assert daily["percent"] == 25.0 and daily["unpriced_runs"] == 1
    assert shown["periods"][1]["limit_usd"] is None  # no weekly limit

    assert main(["budget", "show"]) == 0
    out = capsys.readouterr().out
    assert "$1.25 + 1 run without a price" in out and "25.0%" in out


def test_set_keeps_what_is_not_given_and_none_clears(capsys):
    main(["budget", "set", "--daily", "5", "--weekly", "20"])
    main(["budget", "set", "--weekly", "none", "--mode", "warn"])
    capsys.readouterr()
    settings = HistoryRepository().get_budget()
    assert settings.daily_limit_nanos == 5 * DOLLAR and settings.weekly_limit_nanos is None
    assert settings.mode == "warn" and settings.thresholds == (75, 90, 100)


@pytest.mark.parametrize(("argv", "message"), [
    (["--daily", "five"], "--daily: 'five' is not an amount in USD"),
    (["--monthly", "-3"], "--monthly: '-3' must be a positive amount"),
    (["--thresholds", "75,abc"], "--thresholds: 'abc' is not a percentage"),
    (["--timezone", "Mars/Olympus"], "unknown time zone 'Mars/Olympus'"),
    (["--max-tokens-per-prompt", "lots"], "--max-tokens-per-prompt: 'lots' is not a whole number"),
    ([], "nothing to set"),
])
def test_bad_values_are_refused_with_a_clear_message_and_nothing_saved(capsys, argv, message):
    main(["budget", "set", "--daily", "5"])
    capsys.readouterr()
    assert main(["budget", "set", *argv]) == 2
    assert message in capsys.readouterr().err
    assert HistoryRepository().get_budget().daily_limit_nanos == 5 * DOLLAR


def test_show_without_a_budget_says_how_to_set_one(capsys):
    assert main(["budget", "show"]) == 0
    assert "No budget set yet" in capsys.readouterr().out


def test_a_damaged_database_is_reported_not_overwritten(capsys, isolated_home):
    database = isolated_home / "promptlab.db"
    database.write_bytes(b"garbage" * 100)
    assert main(["budget", "show"]) == 1
    assert "not a SQLite database" in capsys.readouterr().err
    assert database.read_bytes() == b"garbage" * 100


def test_alerts_list_and_acknowledge(capsys):
    repo = HistoryRepository()
    settings = BudgetSettings(daily_limit_nanos=DOLLAR, timezone="UTC")
    repo.save_budget(settings)
    spend(DOLLAR * 95 // 100)
    created = repo.record_threshold_alerts(settings)
    assert [a.threshold for a in created] == [75, 90]
    assert main(["alerts"]) == 0
    out = capsys.readouterr().out
    assert "Daily budget 90% reached: $0.95 of $1.00" in out
    assert out.count("WARNING") == 2  # 75 % and 90 % are both warnings (50 % and over), never INFO
    assert main(["alerts", "--ack", str(created[1].id)]) == 0
    assert "Acknowledged 1" in capsys.readouterr().out
    assert main(["alerts", "--json"]) == 0
    assert [a["threshold"] for a in json.loads(capsys.readouterr().out)] == [75]
    assert main(["alerts", "--ack", "999"]) == 2
    assert "no alert #999" in capsys.readouterr().err
    assert main(["alerts", "--ack", "all"]) == 0 and main(["alerts"]) == 0
    assert "No unacknowledged alerts." in capsys.readouterr().out
    assert main(["alerts", "--all", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2
    repo.close()


def test_the_reset_time_is_shown_in_the_budget_time_zone(capsys):
    main(["budget", "set", "--daily", "1", "--timezone", "Australia/Lord_Howe"])
    out = capsys.readouterr().out
    tomorrow = (datetime.now(UTC).astimezone(BudgetSettings(timezone="Australia/Lord_Howe").tz)
                + timedelta(days=1)).date()
    assert f"{tomorrow:%Y-%m-%d} 00:00 Australia/Lord_Howe" in out


def test_a_small_limit_is_shown_with_the_digits_it_needs(capsys):
    # issue 8, item 9: the CLI shows spent/limit by the same rule as the app ("$0.009189 of $0.009500")
    assert main(["budget", "set", "--daily", "0.0095"]) == 0
    spend(9_189_000)
    capsys.readouterr()
    assert main(["budget", "show"]) == 0
    daily = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("daily"))
    assert daily.split()[1:4] == ["$0.009189", "$0.000000", "$0.009500"]
