"""Nothing heavy on the way to the first frame: the SDKs, the tokenizer, the ORM and plotext load later."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("openai", "anthropic", "tiktoken", "sqlalchemy", "sqlmodel", "plotext", "promptlab_tui.store.database",
         "promptlab_tui.core.pricing")


def test_building_the_app_imports_nothing_heavy(isolated_home):
    code = (
        "import json, sys\n"
        "from promptlab_tui.app import PromptLabApp\n"
        "PromptLabApp()\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(result.stdout) == []


async def test_the_first_frame_shows_the_budget_filled_and_the_previews_first_line(
        make_app, isolated_home, monkeypatch):
    """What the user looks at first is in the first frame, before any start-up worker has run."""
    import promptlab_tui.app as app_module
    from promptlab_tui.widgets.budget.budget_bar import BudgetBar
    from promptlab_tui.widgets.preview.preview_pane import PreviewPane
    from tests.app.conftest import seed_budget, seed_spend

    seed_budget(isolated_home, monthly_usd="30")
    seed_spend(isolated_home, "1.25")
    monkeypatch.setattr(app_module, "FIRST_FRAME_WRITE_S", 3600.0)  # hold everything that waits for the first frame
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert not app.started and not app.workers  # nothing started after the first frame yet
        assert "Monthly $1.25 / $30.00" in app.screen.query_one(BudgetBar).text
        assert str(app.screen.query_one(PreviewPane).render()).startswith("Type a prompt to see its cost.")


def test_the_chosen_providers_sdk_is_imported_after_the_first_frame(isolated_home):
    """Item 31: the first Anthropic run does not wait for the SDK's import (about 1.5 s)."""
    (isolated_home / "config.toml").write_text('default_model = "claude-haiku-4.5"\ndefault_provider = "anthropic"\n')
    code = (
        "import asyncio, json, sys\n"
        "from promptlab_tui.app import PromptLabApp\n"
        "async def main():\n"
        "    app = PromptLabApp(setup_wizard=False, cursor_blink=False)\n"
        "    async with app.run_test(size=(80, 24)) as pilot:\n"
        "        at_first_frame = 'anthropic' in sys.modules\n"
        "        for _ in range(600):\n"
        "            await pilot.pause(0.05)\n"
        "            if 'anthropic' in sys.modules and not any(w.is_running for w in app.workers):\n"
        "                break\n"
        "        print(json.dumps([at_first_frame, 'anthropic' in sys.modules]))\n"
        "asyncio.run(main())\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [False, True]
