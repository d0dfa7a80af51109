"""The fake provider in its own process, for multi-process tests (budget concurrency, kill -9).

    with FakeProviderProcess(default=Behaviour.slow(0.05)) as fake:
        env = {**os.environ, **fake.env()}
        subprocess.run(["promptlab", "run", ...], env=env)
        fake.script(Behaviour.rate_limited())       # scripted over HTTP (/_control)
        assert fake.requests()[-1]["body"]["max_tokens"] == 64
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

from tests.fakeprovider.behaviours import Behaviour

_REPO_ROOT = Path(__file__).resolve().parents[2]


class FakeProviderProcess:
    def __init__(self, default: Behaviour | None = None, *, require_key: bool = True):
        self.default = default
        self.require_key = require_key
        self.process: subprocess.Popen[str] | None = None
        self.port = 0

    def start(self) -> "FakeProviderProcess":
        command = [sys.executable, "-m", "tests.fakeprovider.server"]
        if self.default is not None:
            command += ["--default", json.dumps(self.default.to_dict())]
        if not self.require_key:
            command.append("--no-key-check")
        self.process = subprocess.Popen(command, cwd=_REPO_ROOT, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()  # blocks until the server prints its port
        if not line.startswith("PORT="):
            self.stop()
            raise RuntimeError(f"fake provider did not start: {line!r}")
        self.port = int(line.strip().split("=", 1)[1])
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def __enter__(self) -> "FakeProviderProcess":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def openai_base_url(self) -> str:
        return f"{self.url}/v1"

    @property
    def anthropic_base_url(self) -> str:
        return self.url

    def env(self, key: str = "sk-test-key") -> dict[str, str]:
        return {"OPENAI_BASE_URL": self.openai_base_url, "ANTHROPIC_BASE_URL": self.anthropic_base_url,
                "OPENAI_API_KEY": key, "ANTHROPIC_API_KEY": key}

    def _call(self, path: str, payload: Any = None) -> Any:
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(self.url + path, data=data, method="POST" if data else "GET",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def script(self, *behaviours: Behaviour) -> None:
        self._call("/_control/script", {"behaviours": [b.to_dict() for b in behaviours]})

    def set_default(self, behaviour: Behaviour) -> None:
        self._call("/_control/default", behaviour.to_dict())

    def reset(self) -> None:
        self._call("/_control/reset", {})

    def requests(self) -> list[dict[str, Any]]:
        """Every API request received so far, as dicts (RecordedRequest fields)."""
        return self._call("/_control/requests")
