"""The setup wizard can open before prices have loaded (a big history makes the budget arrive first): it says
prices are loading, then offers the models and estimates the month once they arrive — never "no price"."""

from __future__ import annotations

import threading

from textual.widgets import Select

from tests.app.conftest import settle


async def test_the_wizard_fills_in_when_prices_arrive_after_it_opened(make_app, isolated_home, monkeypatch):
    from promptlab_tui.screens.dialogs.setup_wizard import SetupWizard
    from promptlab_tui.services import app_backend

    release = threading.Event()
    real_load_models = app_backend.load_models

    def held_load_models(services):  # the pricing worker holds here until the wizard is on screen
        release.wait(timeout=30)
        return real_load_models(services)

    monkeypatch.setattr(app_backend, "load_models", held_load_models)
    app = make_app(setup_wizard=True)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(500):
            await pilot.pause(0.01)
            if isinstance(app.screen, SetupWizard) and app.screen.query("#usage-estimate"):
                break
        await pilot.pause()
        wizard = app.screen
        assert isinstance(wizard, SetupWizard) and not app.pricing_ready
        assert "loading prices" in str(wizard.query_one("#usage-estimate").render())
        release.set()
        await settle(pilot)
        estimate = str(wizard.query_one("#usage-estimate").render())
        # 20 runs a day x 30 days x (1,500 in at $0.15/M + 500 out at $0.60/M) = $0.315 on gpt-4o-mini
        assert estimate == "Estimated spend: $0.3150 a month · recommended budget: $0.40"
        assert wizard.query_one("#monthly-limit").value == "0.4"
        offered = {value for _, value in wizard.query_one("#typical-model", Select)._options}
        assert "openai:gpt-4o-mini" in offered and len(offered) > 1
        assert wizard.query_one("#typical-model", Select).value == "openai:gpt-4o-mini"


async def test_the_wizard_starts_from_the_users_own_last_30_days(make_app, isolated_home):
    from datetime import timedelta

    from promptlab_tui.screens.dialogs.setup_wizard import SetupWizard
    from tests.app.conftest import FIXED_NOW, seed_spend

    # 9 runs over the last 3 days (10 in + 10 out tokens each), 6 of them on gpt-4o: 3 runs a day
    for day in range(3):
        for model in ("gpt-4o", "gpt-4o", "gpt-4o-mini"):
            seed_spend(isolated_home, "0.01", when=FIXED_NOW - timedelta(days=day), model=model)
    app = make_app(setup_wizard=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        wizard = app.screen
        assert isinstance(wizard, SetupWizard)
        assert [wizard.query_one(f"#{f}").value for f in ("runs-per-day", "tokens-in", "tokens-out")] == \
            ["3", "10", "10"]
        assert wizard.query_one("#typical-model", Select).value == "openai:gpt-4o"
        assert str(wizard.query_one("#usage-guess").render()) == \
            "From your last 3 days: 3 runs a day, mostly GPT-4o (openai)."
        # the runs really cost $0.01 each, whatever the model: 3 x 30 runs = $0.90, +25 % headroom rounded up to $1.20
        assert str(wizard.query_one("#usage-estimate").render()) == \
            "Estimated spend: $0.90 a month at your runs' actual cost · recommended budget: $1.20"
        wizard.query_one("#runs-per-day").value = "1"  # the user's own numbers now: priced on the model picked
        await settle(pilot)
        # 1 x 30 runs x (10 in at $2.50/M + 10 out at $10/M) = $0.00375
        assert "Estimated spend: $0.003750 a month ·" in str(wizard.query_one("#usage-estimate").render())


async def test_a_new_user_keeps_the_wizards_defaults(make_app, isolated_home):
    from promptlab_tui.screens.dialogs.setup_wizard import SetupWizard

    app = make_app(setup_wizard=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        wizard = app.screen
        assert isinstance(wizard, SetupWizard)
        assert wizard.query_one("#runs-per-day").value == "20"
        assert str(wizard.query_one("#usage-guess").render()) == ""
