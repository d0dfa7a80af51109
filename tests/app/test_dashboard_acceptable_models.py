"""The dashboard's `o` (issue 9): mark priced models acceptable as replacements; saved to config.toml's
`acceptable_models`, the recommendations recomputed with them; a new app and `promptlab report` remember them."""

from __future__ import annotations

import json

import pytest

from promptlab_tui.core.money import format_usd
from tests.app.conftest import seed_budget, settle
from tests.app.test_dashboard import SIZES, dash_home, dashboard_of, open_dashboard, seed_history  # noqa: F401
from tests.app.test_dashboard_panes import shown

# gpt-4o's 8 summarise runs (8,840 input, 1,600 output tokens) on groq's llama-3.1-8b-instant at $0.05 / $0.08
# per 1M: 442,000 + 128,000 nanos. Not a sibling of gpt-4o: recommended only once the user accepts it.
LLAMA = "llama-3.1-8b-instant"
ON_LLAMA = f"gpt-4o runs of prompt summarise: {format_usd(36_000_000)} this month; on {LLAMA} {format_usd(570_000)}"


async def tick(pilot, model: str) -> None:
    from textual.widgets import SelectionList

    selection = pilot.app.screen.query_one(SelectionList)
    index = next(i for i in range(selection.option_count) if selection.get_option_at_index(i).value == model)
    selection.highlighted = index
    await pilot.press("space")


async def test_o_marks_a_model_the_recommendation_switches_to_it_and_the_config_keeps_it(make_app, dash_home):
    from promptlab_tui.screens.dashboard.acceptable_models_dialog import AcceptableModelsDialog

    (dash_home / "config.toml").write_text('theme = "nord"\nconfirm_above = 0.5\n', encoding="utf-8")
    seed_history(dash_home)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_dashboard(pilot)
        recs = shown(dashboard_of(app).query_one("#dash-recs"), 200)
        assert "on gpt-4o-mini" in recs and LLAMA not in recs  # the sibling only
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, AcceptableModelsDialog)
        await tick(pilot, LLAMA)
        await pilot.press("ctrl+s")
        await settle(pilot)
        recs = shown(dashboard_of(app).query_one("#dash-recs"), 200)
        assert ON_LLAMA in recs  # the cheapest acceptable model wins
        assert f"Also re-priced on the models you accept: {LLAMA} (o changes)" in recs
    text = (dash_home / "config.toml").read_text(encoding="utf-8")
    assert f'acceptable_models = ["{LLAMA}"]' in text
    assert 'theme = "nord"' in text and "confirm_above = 0.5" in text  # the rest kept

    app = make_app()  # a new start remembers the mark: the dialog shows it ticked, the recommendation uses it
    async with app.run_test(size=(160, 48)) as pilot:
        await open_dashboard(pilot)
        assert ON_LLAMA in shown(dashboard_of(app).query_one("#dash-recs"), 200)
        await pilot.press("o")
        await settle(pilot)
        from textual.widgets import SelectionList

        assert app.screen.query_one(SelectionList).selected == [LLAMA]
        await tick(pilot, LLAMA)  # untick, then cancel: nothing changes
        await pilot.press("escape")
        await settle(pilot)
        assert ON_LLAMA in shown(dashboard_of(app).query_one("#dash-recs"), 200)
    assert f'acceptable_models = ["{LLAMA}"]' in (dash_home / "config.toml").read_text(encoding="utf-8")


def test_report_uses_the_config_s_list_and_any_accept(dash_home, capsys):
    from promptlab_tui.cli.main import main

    seed_history(dash_home)
    period = "2026-03-01..2026-03-31"
    assert main(["report", "--period", period, "--format", "json"]) == 0
    titles = [item["title"] for item in json.loads(capsys.readouterr().out)["recommendations"]["items"]]
    assert not any(LLAMA in title for title in titles)
    (dash_home / "config.toml").write_text(f'acceptable_models = ["{LLAMA}"]\n', encoding="utf-8")
    assert main(["report", "--period", period, "--format", "json"]) == 0
    titles = [item["title"] for item in json.loads(capsys.readouterr().out)["recommendations"]["items"]]
    assert any(title.startswith("gpt-4o runs of prompt summarise") and f"on {LLAMA} " in title for title in titles)
    # --accept adds to the config's list, never replaces it: llama stays (gpt-5-nano's $0.40 output costs more)
    assert main(["report", "--period", period, "--format", "json", "--accept", "gpt-5-nano"]) == 0
    titles = [item["title"] for item in json.loads(capsys.readouterr().out)["recommendations"]["items"]]
    assert any(f"on {LLAMA} " in title for title in titles)


def test_report_refuses_a_bad_list_naming_the_file_line_and_key(dash_home, capsys):
    from promptlab_tui.cli.main import main

    seed_history(dash_home, runs=3)
    (dash_home / "config.toml").write_text('theme = "nord"\nacceptable_models = ["gpt-4o-mini", "gpt-9"]\n',
                                           encoding="utf-8")
    assert main(["report"]) == 2
    err = capsys.readouterr().err
    assert f"{dash_home / 'config.toml'}, line 2: acceptable_models: expected priced models" in err and "'gpt-9'" in err
    assert "Traceback" not in err


async def test_a_bad_list_is_said_on_the_pane_and_recommendations_still_show(make_app, dash_home):
    (dash_home / "config.toml").write_text('acceptable_models = ["gpt-9"]\n', encoding="utf-8")
    seed_history(dash_home)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_dashboard(pilot)
        recs = shown(dashboard_of(app).query_one("#dash-recs"), 200)
        assert "on gpt-4o-mini" in recs and "line 1: acceptable_models: expected priced models" in recs


async def test_the_palette_and_footer_list_o(make_app, dash_home):
    from promptlab_tui.screens.commands import PromptLabCommands
    from promptlab_tui.widgets.footer.wrapping_footer import WrappingFooter

    seed_history(dash_home, runs=3)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_dashboard(pilot)
        entries = PromptLabCommands(app.screen).entries()
        assert any(e.label.startswith("Accept models") and e.key == "o" and e.available for e in entries)
        items, _ = app.screen.query_one(WrappingFooter).items()
        assert ("o", "Accept models") in {(item.key_display, item.description) for item in items}


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_acceptable_models_dialog(snap_compare, make_app, dash_home, size):
    seed_budget(dash_home, monthly_usd="1")
    seed_history(dash_home)
    (dash_home / "config.toml").write_text('acceptable_models = ["gpt-4.1-nano"]\n', encoding="utf-8")

    async def run_before(pilot):
        await open_dashboard(pilot)
        await pilot.press("o")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_recommendations_with_an_accepted_model(snap_compare, make_app, dash_home, size):
    seed_budget(dash_home, monthly_usd="1")
    seed_history(dash_home)

    async def run_before(pilot):
        await open_dashboard(pilot)
        await pilot.press("o")
        await settle(pilot)
        await tick(pilot, LLAMA)
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = dashboard_of(pilot.app)
        assert ON_LLAMA in shown(screen.query_one("#dash-recs"), 200)
        pilot.app.clear_notifications()
        screen.query_one("#dash-body").scroll_to_widget(screen.query_one("#dash-recs"), top=True, animate=False)
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)
