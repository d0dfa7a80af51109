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
    "promptlab_tui.services.dashboard_source",
    "promptlab_tui.reports.table",
    "promptlab_tui.reports.markdown",
    "promptlab_tui.reports.json_report",
    "promptlab_tui.reports.html",
    "promptlab_tui.reports.pdf",
    "promptlab_tui.store.repository",
    "promptlab_tui.services.runner",
    "promptlab_tui.services.settlement",
    "promptlab_tui.services.signals",
    "promptlab_tui.store.journal",
    "promptlab_tui.store.dbfile",
    "promptlab_tui.core.redact",
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
    "promptlab_tui.services.acceptable_models",
    "promptlab_tui.services.dashboard_panes",
    "promptlab_tui.store.rollup_dims",
    "promptlab_tui.services.conversation",
    "promptlab_tui.services.optimise",
    "promptlab_tui.services.response_cache",
    "promptlab_tui.store.response_cache",
    # issue 11's Lab services and the modules split out of bigger ones: Textual-free too
    "promptlab_tui.core.approx_tokens",
    "promptlab_tui.core.token_pieces",
    "promptlab_tui.core.promptfile_fields",
    "promptlab_tui.core.promptfile_json",
    "promptlab_tui.core.promptfile_write",
    "promptlab_tui.config_toml",
    "promptlab_tui.services.reservation",
    "promptlab_tui.services.run_ending",
    "promptlab_tui.services.plan_limits",
    "promptlab_tui.services.message_counters",
    "promptlab_tui.services.preview_engine",
    "promptlab_tui.services.auto_preview",
    "promptlab_tui.services.run_driver",
    "promptlab_tui.services.editor_values",
    "promptlab_tui.services.model_choice",
    "promptlab_tui.store.tables_links",
    "promptlab_tui.cli.run_output",
    # team server and sync (issue 12): Textual-free too
    "promptlab_tui.services.team_hook",
    "promptlab_tui.sync.engine",
    "promptlab_tui.sync.team_gate",
    "promptlab_tui.sync.heartbeat",
    "promptlab_tui.server.app",
    "promptlab_tui.server.reserve_pg",
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


# ---- layers, checked over every module's source and in a fresh interpreter ---------------------------

from tests.core.module_graph import (  # noqa: E402
    PACKAGE,
    cycles,
    import_graph,
    imported_names,
    is_under,
    module_files,
)

UI_FREE_LAYERS = tuple(f"{PACKAGE}.{layer}" for layer in ("core", "services", "store", "providers"))
UI_MODULES = ("textual", f"{PACKAGE}.screens", f"{PACKAGE}.widgets", f"{PACKAGE}.app")


def _ui_free_modules() -> list[str]:
    return [name for name in module_files() if is_under(name, UI_FREE_LAYERS)]


def test_the_source_scan_sees_the_imports_it_checks() -> None:
    # a scan that finds nothing would pass every check below: prove it sees known edges of each kind
    graph = import_graph()
    assert f"{PACKAGE}.screens.commands" in graph[f"{PACKAGE}.app"]  # top level
    assert f"{PACKAGE}.screens.lab.lab_screen" in graph[f"{PACKAGE}.app"]  # inside a method
    assert len(_ui_free_modules()) > 40


def test_ui_free_layers_never_import_a_ui_module_in_their_source() -> None:
    files = module_files()
    offences = [f"{files[name].relative_to(files[PACKAGE].parent)}:{line} imports {target}"
                for name in _ui_free_modules()
                for target, line in sorted(imported_names(name, files[name]))
                if is_under(target, UI_MODULES)]
    assert offences == [], "core/services/store/providers must stay Textual-free:\n" + "\n".join(offences)


def test_ui_free_layers_load_no_ui_module_in_a_fresh_interpreter() -> None:
    modules = _ui_free_modules()
    loaded = _modules_loaded_after("\n".join(f"import {name}" for name in modules))
    assert sorted(m for m in loaded if is_under(m, UI_MODULES)) == []


def test_no_import_cycles_among_the_package_modules() -> None:
    # lazy imports inside functions count (they run); `if TYPE_CHECKING:` imports never run, so they do not
    found = cycles(import_graph(executed_only=True))
    assert found == [], "import cycles (lazy imports included): " + "; ".join(" <-> ".join(c) for c in found)


def test_type_checking_imports_are_told_apart() -> None:
    graph, executed = import_graph(), import_graph(executed_only=True)
    runner = f"{PACKAGE}.services.run_types"
    assert any(graph[m] - executed[m] for m in graph), "no TYPE_CHECKING import found: the filter is not tested"
    assert executed[runner] <= graph[runner]


def test_the_cycle_check_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_widgets_never_import_a_screen_or_the_app() -> None:
    files = module_files()
    offences = [f"{name} imports {target} (line {line}): post a message, let the screen act"
                for name, path in files.items() if is_under(name, (f"{PACKAGE}.widgets",))
                for target, line in sorted(imported_names(name, path))
                if is_under(target, (f"{PACKAGE}.screens", f"{PACKAGE}.app"))]
    assert offences == []


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
