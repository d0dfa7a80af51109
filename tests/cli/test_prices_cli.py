"""`promptlab prices`, as a user types it."""

from __future__ import annotations

import json

from promptlab_tui.cli.main import main
from promptlab_tui.paths import app_paths


def test_prices_lists_current_models_with_their_source(capsys) -> None:
    assert main(["prices"]) == 0
    out = capsys.readouterr().out
    header, *rows = out.splitlines()
    assert header.split()[:4] == ["provider", "model", "input", "output"]
    gpt4o = next(row for row in rows if row.split()[1:2] == ["gpt-4o"])
    assert "$2.50" in gpt4o and "$10.00" in gpt4o and "shipped" in gpt4o
    assert not any(row.split()[1:2] == ["gpt-4"] for row in rows)  # legacy only with --all
    assert main(["prices", "--all"]) == 0
    assert any(row.split()[1:2] == ["gpt-4"] for row in capsys.readouterr().out.splitlines())


def test_prices_json_shows_the_users_overrides(capsys) -> None:
    user = app_paths().ensure().user_pricing
    user.write_text('[[models.openai."gpt-4o".price]]\neffective_from = 2024-08-06\ninput = "2.00"\n')
    assert main(["prices", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["user_file"] == str(user) and data["user_file_exists"]
    gpt4o = next(m for m in data["models"] if m["model"] == "gpt-4o")
    assert gpt4o["per_million_usd"]["input"] == "2.00" and gpt4o["per_million_usd"]["output"] == "10.00"
    assert gpt4o["source"] == str(user)
    assert data["providers"]["ollama"]["free"] is True


def test_prices_for_one_model_shows_history_and_tiers(capsys) -> None:
    assert main(["prices", "o3-2025-04-16"]) == 0
    out = capsys.readouterr().out
    assert "from 2025-04-16 until 2025-06-10" in out and "$40.00" in out
    assert "(current)" in out and "flex" in out and "priority" in out
    assert main(["prices", "anthropic/claude-sonnet-4-5", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["current"]["model"] == "claude-sonnet-4.5"
    assert data["current"]["long_context"] == {"above": 200000, "input": "6.00", "output": "22.50",
                                               "cached_input": "0.60", "cache_write": "7.50",
                                               "cache_write_1h": "12.00"}
    assert data["current"]["service_tiers"]["batch"] == {"multiplier": "0.5"}


def test_unknown_model_says_no_price_and_where_to_add_it(capsys) -> None:
    assert main(["prices", "house-llm"]) == 2
    err = capsys.readouterr().err
    assert "no price for 'house-llm'" in err and str(app_paths().user_pricing) in err


def test_a_broken_user_file_is_refused_with_its_line(capsys) -> None:
    user = app_paths().ensure().user_pricing
    user.write_text('[[models.openai."gpt-4o".price]]\neffective_from = 2024-08-06\ninput = "cheap"\n')
    assert main(["prices"]) == 2
    err = capsys.readouterr().err
    assert f"{user}:3: models.openai.gpt-4o.price[0].input: expected a price" in err
