"""Team server processes for the tests: uvicorn subprocesses on 127.0.0.1, ephemeral ports."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx

from tests.server.postgres import free_port


class ServerProcess:
    def __init__(self, url: str, port: int | None = None) -> None:
        self.db_url = url
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, PROMPTLAB_SERVER_DB=url)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "promptlab_tui.server.app:app_from_env", "--factory", "--host",
             "127.0.0.1", "--port", str(self.port), "--log-level", "warning", "--limit-concurrency", "1000"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 30.0) -> "ServerProcess":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.process.stdout.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)  # polling a port for readiness, not synchronising the test's steps
        raise TimeoutError("server did not start")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()


def start_servers(url: str, count: int) -> list[ServerProcess]:
    servers = [ServerProcess(url) for _ in range(count)]
    return [server.wait_ready() for server in servers]
