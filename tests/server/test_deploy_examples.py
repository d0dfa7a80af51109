"""docs/examples: the systemd unit, its env file and the compose file are the ones the docs show, and they work.

The unit's ExecStartPre and ExecStart run as written (only the install path, the port and the database URL
are this machine's) against a fresh SQLite file and a fresh PostgreSQL database, and /openapi.json answers;
`systemd-analyze verify` checks the unit where it is installed. Docker is not available here, so the compose
file's commands are checked to be valid `promptlab` invocations wired to the right environment.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.server.postgres import free_port

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
DOC = EXAMPLES.parent / "team-server.md"
INSTALLED = "/opt/promptlab/.venv/bin/promptlab"
PROMPTLAB = str(Path(sys.executable).parent / "promptlab")  # this venv's console script


def unit_settings() -> dict[str, list[str]]:
    settings: dict[str, list[str]] = {}
    for line in (EXAMPLES / "promptlab-server.service").read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def env_file() -> dict[str, str]:
    return dict(line.split("=", 1) for line in (EXAMPLES / "server.env").read_text().splitlines()
                if line and not line.startswith("#"))


def this_machine(command: str, port: int) -> list[str]:
    argv = shlex.split(command)
    assert argv[0] == INSTALLED
    argv[0] = PROMPTLAB
    return [str(port) if part == "8765" else part for part in argv]


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_db(request, tmp_path) -> str:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'team-server.db'}"
    return request.getfixturevalue("postgres_cluster").new_database()


def test_the_systemd_units_commands_serve_the_api(fresh_db, tmp_path) -> None:
    unit, port = unit_settings(), free_port()
    assert unit["EnvironmentFile"] == ["/etc/promptlab/server.env"]
    env = dict(os.environ, **env_file())
    for assignment in unit["Environment"]:
        name, value = assignment.split("=", 1)
        env[name] = value
    assert env["PROMPTLAB_SERVER_DB"].startswith("postgresql+psycopg://") and env["PROMPTLAB_HOME"]
    env.update(PROMPTLAB_SERVER_DB=fresh_db, PROMPTLAB_HOME=str(tmp_path / "state"))  # this machine's
    (pre,), (start,) = unit["ExecStartPre"], unit["ExecStart"]
    migrated = subprocess.run(this_machine(pre, port), env=env, capture_output=True, text=True, timeout=120)
    assert migrated.returncode == 0 and "schema empty ->" in migrated.stdout, migrated.stderr
    init = subprocess.run([PROMPTLAB, "server", "init", "--team", "acme", "--owner", "alice"], env=env,
                          capture_output=True, text=True, timeout=120)  # the docs' one-time step
    token = re.search(r"^plt_\S+$", init.stdout, re.M)
    assert init.returncode == 0 and token, init.stderr
    server = subprocess.Popen(this_machine(start, port), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              start_new_session=True)  # its own group: the workers stop with it
    try:
        spec = _wait_for(f"http://127.0.0.1:{port}/openapi.json", server)
        assert "/v1/reservations" in spec["paths"] and spec["info"]["title"] == "promptlab team server"
        me = httpx.get(f"http://127.0.0.1:{port}/v1/me", headers={"Authorization": f"Bearer {token.group(0)}"})
        assert me.status_code == 200 and me.json()["name"] == "alice"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
        output = server.stdout.read().decode()  # type: ignore[union-attr]
        server.stdout.close()  # type: ignore[union-attr]
    assert "Traceback" not in output and "--workers" in start


def _wait_for(url: str, server: subprocess.Popen) -> dict:
    deadline = time.monotonic() + 90  # four workers start on a shared 2-core machine
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stdout.read().decode()  # type: ignore[union-attr]
        try:
            response = httpx.get(url, timeout=2)
            if response.status_code == 200:
                return response.json()
        except httpx.HTTPError:
            pass
        time.sleep(0.1)  # polling a port for readiness, not synchronising the test's steps
    raise TimeoutError(url)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_analyze_verifies_the_unit_as_installed(tmp_path) -> None:
    installed = (EXAMPLES / "promptlab-server.service").read_text().replace(INSTALLED, PROMPTLAB).replace(
        "/etc/promptlab/server.env", str(tmp_path / "server.env"))
    shutil.copy(EXAMPLES / "server.env", tmp_path / "server.env")
    (tmp_path / "promptlab-server.service").write_text(installed)
    checked = subprocess.run(["systemd-analyze", "verify", "--man=no", str(tmp_path / "promptlab-server.service")],
                             capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0 and "promptlab-server.service" not in checked.stderr, checked.stderr


def test_the_compose_files_commands_are_valid_promptlab_invocations() -> None:
    import yaml

    from promptlab_tui.cli.cmd_server import run_init, run_migrate, serve
    from promptlab_tui.cli.main import build_parser
    from promptlab_tui.server.app import DB_ENV
    from promptlab_tui.server.proxy import KEY_ENV

    services = yaml.safe_load((EXAMPLES / "compose.yaml").read_text())["services"]
    parser = build_parser()
    expected = {"migrate": run_migrate, "server": serve}
    for name, func in expected.items():
        command = services[name]["command"]
        assert command[0] == "promptlab" and parser.parse_args(command[1:]).func is func
        assert set(services[name]["environment"]) == {DB_ENV, KEY_ENV}
        assert services[name]["environment"][DB_ENV].startswith("postgresql+psycopg://promptlab:${DB_PASSWORD}@db/")
    serve_args = parser.parse_args(services["server"]["command"][1:])
    assert serve_args.host == "0.0.0.0" and f"server:{serve_args.port}" in services["proxy"]["command"]
    init = shlex.split(re.search(r"docker compose run --rm server (promptlab server init[^\n`]*)",
                                 (EXAMPLES / "compose.yaml").read_text()).group(1))
    assert parser.parse_args(init[1:]).func is run_init
    for service in services.values():  # every dependency is a service of the file
        assert set(service.get("depends_on") or []) <= set(services)
    assert "'promptlab-tui[server]'" in (EXAMPLES / "Dockerfile").read_text()


@pytest.mark.parametrize("name", ["promptlab-server.service", "server.env", "compose.yaml", "Dockerfile"])
def test_the_docs_show_the_tested_files(name: str) -> None:
    lines = (EXAMPLES / name).read_text().splitlines()
    while lines and lines[0].startswith("#"):  # the file's header says where it goes and what tests it
        lines.pop(0)
    body = "\n".join(lines)
    assert body.strip() in DOC.read_text(), f"docs/team-server.md no longer shows docs/examples/{name}"
    assert f"docs/examples/{name}" in DOC.read_text()
