"""Money in the server's budget refusals and warnings is shown by core.money's one rule, never in nano-dollars
(SQLite and the PostgreSQL fast path alike)."""

from __future__ import annotations

import uuid

from tests.server.conftest import make_team


def _reserve(team, amount: int):  # type: ignore[no-untyped-def]
    return team.call("member", "POST", "/v1/reservations",
                     json={"id": uuid.uuid4().hex, "amount_nanos": amount, "provider": "openai", "model": "gpt-4o-mini"})


def test_a_hard_budget_refusal_shows_dollars(db_url: str) -> None:
    team = make_team(db_url)
    team.call("owner", "PUT", "/v1/budgets", json={"scope": "team", "period": "daily", "limit_nanos": 1_000_000,
                                                   "mode": "hard"})
    response = _reserve(team, 5_025_000)
    assert response.status_code == 409
    message = response.json()["error"]["message"]
    assert message == ("refused by the team daily budget $0.001000: spent $0.00, reserved by runs in flight "
                       "$0.00; this run's worst case is $0.005025")
    assert "nano" not in message and "5025000" not in message


def test_a_warn_budget_warning_shows_dollars(db_url: str) -> None:
    team = make_team(db_url)
    team.call("owner", "PUT", "/v1/budgets", json={"scope": "member", "subject_id": team.ids["member"],
                                                   "period": "daily", "limit_nanos": 1_000_000, "mode": "warn"})
    response = _reserve(team, 5_025_000)
    assert response.status_code == 201, response.text
    (warning,) = response.json()["warnings"]
    assert warning.startswith("over the member daily budget $0.001000: spent") and warning.endswith("(warn mode)")
