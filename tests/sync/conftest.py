"""A team server in a uvicorn subprocess (SQLite) with a team, for the client's tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.server.conftest import Team, make_team
from tests.server.processes import ServerProcess


@dataclass
class LiveTeam:
    server: ServerProcess
    team: Team
    db_url: str

    @property
    def url(self) -> str:
        return self.server.base

    def restart(self, same_port: bool = True) -> None:
        port = self.server.port
        self.server.stop()
        self.server = ServerProcess(self.db_url, port=port if same_port else None).wait_ready()


@pytest.fixture
def live_team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveTeam]:
    from promptlab_tui.server.database import make_engine, migrate

    folder: Path = tmp_path_factory.mktemp("live-team")
    url = f"sqlite:///{folder / 'team.db'}"
    migrate(make_engine(url))
    team = make_team(url)
    live = LiveTeam(ServerProcess(url).wait_ready(), team, url)
    yield live
    live.server.stop()
