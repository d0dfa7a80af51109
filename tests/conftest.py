"""Shared fixtures: offline tiktoken vocabularies, an isolated PROMPTLAB_HOME per test."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

pytest_plugins = ["tests.fakeprovider.fixtures"]

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_TIKTOKEN = REPO_ROOT.parent / "shared" / "tiktoken-cache"


def _use_shared_vocabularies() -> None:
    # Runs when conftest is imported, before any test module (or requires_vocab) looks at it;
    # a copy because tiktoken may write into its cache dir.
    if "TIKTOKEN_CACHE_DIR" not in os.environ and SHARED_TIKTOKEN.is_dir():
        import tempfile

        copy = Path(tempfile.mkdtemp(prefix="promptlab-tiktoken-"))
        for item in SHARED_TIKTOKEN.iterdir():
            shutil.copy(item, copy / item.name)
        os.environ["TIKTOKEN_CACHE_DIR"] = str(copy)


_use_shared_vocabularies()


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own database and config folder; keys from the real environment never leak in."""
    home = tmp_path / "promptlab-home"
    home.mkdir()
    monkeypatch.setenv("PROMPTLAB_HOME", str(home))
    for key in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_BASE_URL"):
        monkeypatch.delenv(key, raising=False)
    from promptlab_tui import paths

    paths.set_home(None)
    return home


def vocabularies_available() -> bool:
    cache = os.environ.get("TIKTOKEN_CACHE_DIR")
    return bool(cache) and Path(cache, "fb374d419588a4632f3f557e76b4b70aebbca790").exists()


requires_vocab = pytest.mark.skipif(
    not vocabularies_available(),
    reason="tiktoken vocabularies not cached: exact counts need them (point TIKTOKEN_CACHE_DIR at a folder holding them)")
