"""Fixtures for the team server: a migrated database on SQLite and on a real PostgreSQL, and an API client."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.server.postgres import PostgresCluster

_names = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_names)}"


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    try:
        cluster = PostgresCluster().start()
    except (FileNotFoundError, RuntimeError) as error:
        pytest.skip(f"no PostgreSQL for the tests: {error}")
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def postgres_url(postgres_cluster: PostgresCluster) -> str:
    url = postgres_cluster.new_database()
    from promptlab_tui.server.database import make_engine, migrate

    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('team-server') / 'team.db'}"
    from promptlab_tui.server.database import make_engine, migrate

    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    return url


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest) -> str:
    """A migrated database shared by the session's tests (each test makes its own team)."""
    return request.getfixturevalue(f"{request.param}_url")


_apps: dict[str, object] = {}


def app_for(url: str):  # type: ignore[no-untyped-def]
    if url not in _apps:
        from promptlab_tui.server.app import create_app

        _apps[url] = create_app(url)
    return _apps[url]


@dataclass
class Team:
    """A team on the server with an owner, an admin and two members, each with a token."""

    client: object
    team_id: int
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def call(self, who: str | None, method: str, path: str, **kwargs):  # type: ignore[no-untyped-def]
        headers = {**(self.headers(who) if who else {}), **kwargs.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kwargs)  # type: ignore[attr-defined]


def make_team(url: str, members: tuple[str, ...] = ("admin", "member", "target")) -> Team:
    from fastapi.testclient import TestClient

    from promptlab_tui.server.teams import create_team

    app = app_for(url)
    with app.state.engine.begin() as connection:  # type: ignore[attr-defined]
        team_id, owner_id, token = create_team(connection, unique("team"), "owner")
    team = Team(TestClient(app), team_id, {"owner": token}, {"owner": owner_id})
    for name in members:
        role = "admin" if name == "admin" else "member"
        response = team.call("owner", "POST", "/v1/members", json={"name": name, "role": role})
        assert response.status_code == 201, response.text
        team.tokens[name] = response.json()["token"]
        team.ids[name] = response.json()["member_id"]
    return team


@pytest.fixture
def team(db_url: str) -> Team:
    return make_team(db_url)


def run_body(run_id: str, cost: int = 1000, **extra) -> dict:  # type: ignore[no-untyped-def]
    from datetime import datetime, timezone

    body = {"id": run_id, "created_at": datetime.now(timezone.utc).isoformat(), "provider": "openai", "model": "gpt-4o-mini",
            "status": "completed", "input_tokens": 10, "output_tokens": 20, "cost_nanos": cost,
            "prompt_name": "greeting", "prompt_text": "Say hello", "response_text": "Hello"}
    body.update(extra)
    return body


def server_path() -> Path:
    return Path(__file__).resolve().parents[2] / "src" / "promptlab_tui" / "server"
