"""The core stays UI-free and start-up stays light: checked in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

CORE_MODULES = [
    "promptlab_tui.core.money",
    "promptlab_tui.core.types",
    "promptlab_tui.core.tokens",
    "promptlab_tui.core.pricing",
    "promptlab_tui.core.estimate",
    "promptlab_tui.core.budget",
    "promptlab_tui.core.history",
    "promptlab_tui.core.promptfile",
    "promptlab_tui.store.repository",
    "promptlab_tui.services.runner",
    "promptlab_tui.providers.registry",
    "promptlab_tui.config",
    "promptlab_tui.paths",
    # team server and sync (issue 12): Textual-free too
    "promptlab_tui.services.team_hook",
    "promptlab_tui.sync.engine",
    "promptlab_tui.sync.team_gate",
    "promptlab_tui.server.app",
]


def _modules_loaded_after(import_line: str) -> set[str]:
    code = f"import sys, json\n{import_line}\nprint(json.dumps(sorted(sys.modules)))"
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(completed.stdout.splitlines()[-1]))


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_imports_without_textual(module: str) -> None:
    loaded = _modules_loaded_after(f"import {module}")
    assert "textual" not in loaded, f"{module} pulls in Textual"
    # The SDKs are heavy (anthropic ~1.5 s): they load only when a run starts.
    assert "anthropic" not in loaded and "openai" not in loaded, f"{module} imports a provider SDK eagerly"
    assert "plotext" not in loaded


def test_app_module_does_not_import_sdks_or_vocabulary_before_first_frame() -> None:
    loaded = _modules_loaded_after("import promptlab_tui.app")
    assert {"anthropic", "openai", "plotext"}.isdisjoint(loaded)


TEAM_SERVER_PACKAGES = {"httpx", "fastapi", "uvicorn", "alembic", "psycopg", "sqlalchemy", "starlette"}


@pytest.mark.parametrize("module", ["promptlab_tui.app", "promptlab_tui.services.runner", "promptlab_tui.cli.main"])
def test_team_server_and_sync_clients_load_only_when_used(module: str) -> None:
    loaded = _modules_loaded_after(f"import {module}")
    assert TEAM_SERVER_PACKAGES.isdisjoint(loaded), f"{module} imports {TEAM_SERVER_PACKAGES & loaded}"
    assert not any(name.startswith(("promptlab_tui.server", "promptlab_tui.sync")) for name in loaded)


def test_the_sync_client_never_imports_the_server() -> None:
    loaded = _modules_loaded_after("import promptlab_tui.sync.engine, promptlab_tui.sync.team_gate")
    assert not any(name.startswith("promptlab_tui.server") for name in loaded)
    assert {"fastapi", "uvicorn", "alembic", "psycopg"}.isdisjoint(loaded)
