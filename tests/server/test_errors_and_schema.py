"""Bad input is a JSON 4xx, never a 500; bounded bodies and batches; the schema version is checked at start."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import text

from tests.server.conftest import Team, run_body


@pytest.mark.parametrize("body, why", [
    (b"{not json", "malformed JSON"),
    (b"[]", "not an object"),
    (b'{"runs": "x"}', "runs not a list"),
    (b'{"runs": [{"id": "short"}]}', "missing fields"),
    (b'{"runs": [], "extra": 1}', "unknown field"),
])
def test_malformed_batches_are_422_with_json(team: Team, body: bytes, why: str) -> None:
    response = team.call("member", "POST", "/v1/runs/batch", content=body,
                         headers={"Content-Type": "application/json", **team.headers("member")})
    assert response.status_code == 422, why
    assert response.json()["error"]["code"] == "invalid_request"


@pytest.mark.parametrize("field, value", [
    ("cost_nanos", 2**70), ("cost_nanos", -1), ("input_tokens", 10**20), ("model", "a\x00b"), ("id", "x" * 100),
    ("created_at", "2026-13-40"), ("created_at", "2026-12-01T10:00:00"), ("status", "pending"), ("tags", ["t"] * 51),
])
def test_out_of_range_fields_are_422(team: Team, field: str, value: object) -> None:
    response = team.call("member", "POST", "/v1/runs/batch", json={"runs": [run_body(uuid.uuid4().hex, **{field: value})]})
    assert response.status_code == 422, response.text
    assert field in response.json()["error"]["message"]


def test_batch_length_and_body_size_are_bounded(team: Team) -> None:
    from promptlab_tui.server.errors import MAX_BODY_BYTES
    from promptlab_tui.server.models import MAX_BATCH

    too_many = [run_body(uuid.uuid4().hex, prompt_text=None, response_text=None) for _ in range(MAX_BATCH + 1)]
    response = team.call("member", "POST", "/v1/runs/batch", json={"runs": too_many})
    assert response.status_code == 422 and "runs" in response.json()["error"]["message"]
    huge = b'{"runs": [' + b" " * MAX_BODY_BYTES + b"]}"
    response = team.call("member", "POST", "/v1/runs/batch", content=huge,
                         headers={"Content-Type": "application/json", **team.headers("member")})
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"


def test_unknown_paths_and_methods_are_json(team: Team) -> None:
    assert team.call("member", "GET", "/v1/nothing").json()["error"]["code"] == "not_found"
    response = team.call("member", "PUT", "/v1/me")
    assert response.status_code == 405 and response.json()["error"]["code"] == "method_not_allowed"


def test_openapi_is_served(team: Team) -> None:
    spec = team.call(None, "GET", "/openapi.json").json()
    assert "/v1/reservations" in spec["paths"] and "/v1/runs/batch" in spec["paths"]


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "promptlab_tui", *args], capture_output=True, text=True, timeout=120,
                          env=env)


def test_server_refuses_an_empty_database_and_one_newer_than_it_knows(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'team.db'}"
    empty = _cli("server", "--db", url, "--port", "0")
    assert empty.returncode != 0 and "promptlab server migrate" in empty.stderr and "Traceback" not in empty.stderr
    migrated = _cli("server", "migrate", "--db", url)
    assert migrated.returncode == 0 and "-> 0001" in migrated.stdout
    again = _cli("server", "migrate", "--db", url)
    assert "nothing to do" in again.stdout
    from promptlab_tui.server.database import make_engine

    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    newer = _cli("server", "--db", url)
    assert newer.returncode != 0 and "newer than this server knows" in newer.stderr
    assert "newer" in _cli("server", "migrate", "--db", url).stderr


def test_server_init_prints_the_owner_token_once_and_stores_only_its_hash(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'team.db'}"
    done = _cli("server", "init", "--db", url, "--team", "acme", "--owner", "alice")
    assert done.returncode == 0, done.stderr
    token = done.stdout.splitlines()[1].strip()
    assert token.startswith("plt_") and len(token) >= 4 + 43  # 256 bits, url-safe base64
    assert token.encode() not in (tmp_path / "team.db").read_bytes()
    assert (tmp_path / "team.db").stat().st_mode & 0o777 == 0o600  # it may hold prompts and answers
    from promptlab_tui.server.app import create_app
    from fastapi.testclient import TestClient

    me = TestClient(create_app(url)).get("/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["name"] == "alice" and me["role"] == "owner" and me["team"] == "acme"
    twice = _cli("server", "init", "--db", url, "--team", "acme", "--owner", "bob")
    assert twice.returncode == 2 and "exists already" in twice.stderr


def test_server_on_port_zero_prints_the_port_it_listens_on(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'team.db'}"
    assert _cli("server", "migrate", "--db", url).returncode == 0
    server = subprocess.Popen([sys.executable, "-m", "promptlab_tui", "server", "--db", url, "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()  # type: ignore[union-attr]
        match = re.search(r"on http://127\.0\.0\.1:(\d+) ", line)
        assert match and match.group(1) != "0", line
        import httpx

        # The socket listens before the line is printed: this request waits for the app, it is never refused.
        response = httpx.get(f"http://127.0.0.1:{match.group(1)}/healthz", timeout=60)
        assert response.status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
