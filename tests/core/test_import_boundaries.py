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
    "promptlab_tui.core.analytics.periods",
    "promptlab_tui.core.analytics.figures",
    "promptlab_tui.core.analytics.forecast",
    "promptlab_tui.core.analytics.repricing",
    "promptlab_tui.core.analytics.recommend",
    "promptlab_tui.core.analytics.quality",
    "promptlab_tui.store.analytics",
    "promptlab_tui.store.activity",
    "promptlab_tui.services.dashboard",
    "promptlab_tui.services.dashboard_insights",
    "promptlab_tui.services.dashboard_activity",
    "promptlab_tui.services.dashboard_report",
    "promptlab_tui.services.dashboard_apply",
    "promptlab_tui.reports.table",
    "promptlab_tui.reports.markdown",
    "promptlab_tui.reports.json_report",
    "promptlab_tui.reports.html",
    "promptlab_tui.reports.pdf",
    "promptlab_tui.store.repository",
    "promptlab_tui.services.runner",
    "promptlab_tui.providers.registry",
    "promptlab_tui.config",
    "promptlab_tui.paths",
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
    assert "fpdf" not in loaded, f"{module} imports fpdf2 eagerly (only `report --format pdf` needs it)"


def test_app_module_does_not_import_sdks_or_vocabulary_before_first_frame() -> None:
    loaded = _modules_loaded_after("import promptlab_tui.app")
    assert {"anthropic", "openai", "plotext"}.isdisjoint(loaded)
