"""The setup wizard shows each threshold in dollars, offers the models the user has keys for, and ends by
offering a first run or the dashboard (item 31e)."""

from __future__ import annotations

from textual.widgets import Select

from tests.app.conftest import lab_screen, settle
from tests.app.test_lab_run import history
from tests.fakeprovider.behaviours import Behaviour


async def test_thresholds_in_dollars_keyed_models_and_a_first_run(make_app, fake_provider_env, isolated_home):
    from promptlab_tui.screens.dialogs.setup_wizard import FIRST_PROMPT, SetupWizard

    fake_provider_env.default = Behaviour.reply()
    app = make_app(setup_wizard=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        wizard = app.screen
        assert isinstance(wizard, SetupWizard)
        wizard.query_one("#monthly-limit").value = "30"
        await settle(pilot)
        assert str(wizard.query_one("#threshold-amounts").render()) == "75% = $22.50 · 90% = $27.00 · 100% = $30.00"
        offered = {value for _, value in wizard.query_one("#typical-model", Select)._options}
        assert offered and all(key.split(":")[0] in ("openai", "anthropic", "ollama") for key in offered)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "What next?" in str(wizard.query_one("#wizard-saved").render())
        await pilot.press("r")
        await settle(pilot)
        lab = lab_screen(app)
        assert app.screen is lab and lab.query_one("#user-text").text == FIRST_PROMPT
    [run] = history(isolated_home)
    assert run.status == "completed"


async def test_the_last_step_opens_the_dashboard(make_app, isolated_home):
    from promptlab_tui.screens.dashboard.dashboard_screen import DashboardScreen

    app = make_app(setup_wizard=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
