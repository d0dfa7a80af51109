"""History (f5): every column a user asked for, Est. readable at 80x24; enter opens a run's detail, which
reopens its prompt in the Lab or deletes the run with the totals kept right."""

from __future__ import annotations

from textual.widgets import DataTable

from promptlab_tui.core.money import format_usd

from tests.app.conftest import lab_screen, settle
from tests.app.test_lab_run import PROMPT, history, type_and_run
from tests.fakeprovider.behaviours import DEFAULT_TEXT, Behaviour


async def open_history_detail(pilot) -> None:
    await pilot.press("f5")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def test_history_shows_every_column_and_the_estimate_whole_at_80x24(make_app, fake_provider_env,
                                                                          isolated_home):
    from promptlab_tui.screens.history.history_screen import COLUMNS

    fake_provider_env.script(Behaviour.reply())
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await type_and_run(pilot)
        await pilot.press("f5")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        [run] = history(isolated_home)
        row = dict(zip(COLUMNS, table.get_row_at(0)))
        assert row["Est."].startswith("$0.000") and row["Est."] != "$0.00"  # not rounded to $0.00
        assert row["Error"].endswith("%") and row["Time"].endswith(" s") and row["Prompt"] == "—"
        shown = table.scrollable_content_region.width
        assert sum(column.get_render_width(table) for column in list(table.columns.values())[:4]) <= shown


async def test_enter_opens_the_detail_and_o_reopens_the_prompt_in_the_lab(make_app, fake_provider_env,
                                                                          isolated_home):
    from promptlab_tui.screens.history.run_detail_screen import RunDetailScreen

    fake_provider_env.script(Behaviour.reply())
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await type_and_run(pilot)
        await pilot.press("ctrl+n", "d")  # a new, empty prompt
        await settle(pilot)
        await open_history_detail(pilot)
        assert isinstance(app.screen, RunDetailScreen)
        body = str(app.screen.query_one("#run-detail-body").render())
        for expected in ("Price version", "openai/gpt-4o-mini", "Estimate", "Actual", "Error", "Duration",
                         f"user: {PROMPT}", DEFAULT_TEXT):
            assert expected in body, expected
        [run] = history(isolated_home)
        lines = body.splitlines()
        # each billed kind on its own line, with its tokens and its cost by the one money rule
        assert any(line.startswith("Cost: input") and f"{run.input_tokens:,} tokens" in line
                   and format_usd(run.input_cost_nanos) in line for line in lines), body
        assert any(line.startswith("Cost: output") and f"{run.output_tokens:,} tokens" in line
                   and format_usd(run.output_cost_nanos) in line for line in lines), body
        assert any(line.startswith("Status") and line.endswith("completed") for line in lines), body
        await pilot.press("o")
        await settle(pilot)
        lab = lab_screen(app)
        assert app.screen is lab
        assert lab.query_one("#user-text").text == PROMPT and lab.dirty


async def test_a_run_deleted_from_its_detail_leaves_the_table_and_the_totals(make_app, fake_provider_env,
                                                                             isolated_home):
    from promptlab_tui.store.repository import HistoryRepository

    fake_provider_env.default = Behaviour.reply()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await type_and_run(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        first, second = history(isolated_home)
        await open_history_detail(pilot)  # the newest run
        await pilot.press("d")
        await settle(pilot)
        assert history(isolated_home) == [first, second]  # one press only warns
        await pilot.press("d")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1
    [kept] = history(isolated_home)
    assert kept.id == second.id
    repo = HistoryRepository(isolated_home / "promptlab.db")
    total = repo.total_spend()
    repo.close()
    assert (total.runs, total.cost_nanos, total.output_tokens) == (1, kept.cost_nanos, kept.output_tokens)
