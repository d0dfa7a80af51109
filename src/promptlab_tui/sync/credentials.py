"""The login: server URL and token in a 0600 file in the config folder, never in the database."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

LOGIN_FILE = "team-login.json"


@dataclass(frozen=True)
class Login:
    url: str
    token: str

    def __repr__(self) -> str:  # the token never reaches logs or tracebacks
        return f"Login(url={self.url!r}, token=<hidden>)"


class LoginError(ValueError):
    pass


def login_path() -> Path:
    from promptlab_tui.paths import app_paths

    return app_paths().config_dir / LOGIN_FILE


def normalise_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")) or len(url) < 10 or any(c.isspace() for c in url):
        raise LoginError(f"{url!r} is not a server address: expected http(s)://HOST[:PORT]")
    return url


def save_login(login: Login, path: Path | None = None) -> Path:
    path = path or login_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump({"url": login.url, "token": login.token}, handle)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)
    return path


def load_login(path: Path | None = None) -> Login | None:
    path = path or login_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Login(url=str(data["url"]), token=str(data["token"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise LoginError(f"{path}: unreadable login file ({type(error).__name__}); run `promptlab login URL` "
                         "again") from None


def forget_login(path: Path | None = None) -> bool:
    path = path or login_path()
    try:
        path.unlink()
        return True
    except FileNotFoundError:
        return False
