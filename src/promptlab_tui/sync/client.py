"""A small HTTP client for the team server (httpx, imported on first use)."""

from __future__ import annotations

from typing import Any

from promptlab_tui.sync.credentials import Login

DEFAULT_TIMEOUT = 10.0


class TeamError(Exception):
    """The server answered with an error (4xx/5xx): its code and message."""

    def __init__(self, status: int, code: str, message: str, detail: Any = None) -> None:
        super().__init__(f"{message} (HTTP {status})")
        self.status, self.code, self.message, self.detail = status, code, message, detail


class TeamUnreachable(Exception):
    """No answer: network down, server stopped, timeout."""


class TeamClient:
    def __init__(self, login: Login, timeout: float = DEFAULT_TIMEOUT) -> None:
        import httpx

        self.login = login
        self._http = httpx.Client(base_url=login.url, timeout=timeout,
                                  headers={"Authorization": f"Bearer {login.token}"})

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "TeamClient":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def call(self, method: str, path: str, json: Any = None, params: dict | None = None) -> Any:
        import httpx

        try:
            response = self._http.request(method, path, json=json, params=params)
        except httpx.HTTPError as error:
            raise TeamUnreachable(f"{self.login.url}: {type(error).__name__}: {error}") from None
        if response.status_code >= 400:
            try:
                body = response.json()["error"]
                raise TeamError(response.status_code, body.get("code", "error"), body.get("message", ""),
                                body.get("detail"))
            except (ValueError, KeyError, TypeError):
                raise TeamError(response.status_code, "error", response.text[:200]) from None
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    # The endpoints the client uses most.
    def me(self) -> dict:
        return self.call("GET", "/v1/me")

    def push(self, runs: list[dict]) -> dict:
        return self.call("POST", "/v1/runs/batch", json={"runs": runs})

    def reserve(self, run_id: str, amount_nanos: int, provider: str, model: str) -> dict:
        return self.call("POST", "/v1/reservations", json={"id": run_id, "amount_nanos": amount_nanos,
                                                           "provider": provider, "model": model})

    def settle(self, run: dict) -> dict:
        return self.call("POST", f"/v1/reservations/{run['id']}/settle", json=run)

    def heartbeat(self, run_id: str) -> dict:
        return self.call("POST", f"/v1/reservations/{run_id}/heartbeat")

    def release(self, run_id: str) -> dict:
        return self.call("DELETE", f"/v1/reservations/{run_id}")

    def budgets(self) -> list[dict]:
        return self.call("GET", "/v1/budgets")
