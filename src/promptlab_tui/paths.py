"""Where promptlab keeps its data and config: platformdirs, or one folder from PROMPTLAB_HOME / --home."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "promptlab-tui"
HOME_ENV = "PROMPTLAB_HOME"
PRIVATE_DIR_MODE = 0o700  # folders holding prompts, answers and keys: the user's only
PRIVATE_FILE_MODE = 0o600

_home_override: Path | None = None


def set_home(path: str | os.PathLike[str] | None) -> None:
    """Used by the --home option; takes precedence over PROMPTLAB_HOME."""
    global _home_override
    _home_override = Path(path).expanduser().resolve() if path else None


@dataclass(frozen=True)
class AppPaths:
    data_dir: Path
    config_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / "promptlab.db"

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def user_pricing(self) -> Path:
        return self.config_dir / "pricing.toml"

    @property
    def prompts_dir(self) -> Path:
        return self.data_dir / "prompts"

    def ensure(self) -> "AppPaths":
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
        self.config_dir.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
        return self


def app_paths() -> AppPaths:
    home = _home_override or (Path(os.environ[HOME_ENV]).expanduser() if os.environ.get(HOME_ENV) else None)
    if home is not None:
        return AppPaths(data_dir=home, config_dir=home)
    import platformdirs

    return AppPaths(
        data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        config_dir=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
    )


def shipped_file(name: str) -> Path:
    """A file shipped with the package (pricing.toml, themes/): package data in a wheel, repo root in a checkout."""
    packaged = Path(__file__).parent / "data" / name
    if packaged.exists():
        return packaged
    return Path(__file__).resolve().parents[2] / name
