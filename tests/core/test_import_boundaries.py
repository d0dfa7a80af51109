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
    "promptlab_tui.core.selection",
    "promptlab_tui.core.prompt_choice",
    "promptlab_tui.store.run_links",
    "promptlab_tui.services.auto_select",
    "promptlab_tui.services.fallback",
    "promptlab_tui.services.compare",
    "promptlab_tui.services.linking",
    "promptlab_tui.services.choice_config",
    "promptlab_tui.services.conversation",
    "promptlab_tui.services.response_cache",
    "promptlab_tui.store.response_cache",
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
