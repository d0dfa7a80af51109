"""The dashboard's deeper panes reached by keys (issue 9): what if (w), estimate accuracy (e), prompt efficiency (i),
savings with the response cache's hits ($); the activity filter by model, tag and status (/); export as CSV,
JSON Lines or FOCUS (x). Numbers on the small history of tests/app/test_dashboard.seed_history, checked by hand."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from rich.console import Console

from tests.app.conftest import FIXED_NOW, seed_budget, settle
from tests.app.test_dashboard import SIZES, dash_home, dashboard_of, open_dashboard, seed_history  # noqa: F401


def shown(widget, width: int = 160) -> str:
    console = Console(width=width, record=True)
    console.print(widget.content)
    return console.export_text()


def seed_cache_hits(home: Path, run_ids: list[str], saved_nanos: int) -> None:
    from promptlab_tui.store import run_links
    from promptlab_tui.store.repository import HistoryRepository

    repo = HistoryRepository(home / "promptlab.db")
    try:
        for run_id in run_ids:
            run_links.record(repo.db, run_links.RunLink(run_id, "cache", saved_nanos=saved_nanos))
    finally:
        repo.close()


def seed_long_context(home: Path, runs: int = 3) -> None:
    """A prompt 'dossier' sending 9,000 input tokens a run for 40-token answers."""
    from promptlab_tui.core.history import PendingRun
    from promptlab_tui.core.types import CostBreakdown, Usage
    from promptlab_tui.store.repository import HistoryRepository

    repo = HistoryRepository(home / "promptlab.db")
    try:
        for i in range(runs):
            when = FIXED_NOW - timedelta(hours=2 + i)
            pending = PendingRun(provider="openai", model="gpt-4o-mini", max_tokens=100, estimate_input_tokens=9_000,
                                 estimate_output_tokens=40, expected_cost_nanos=1_374_000, worst_cost_nanos=1_410_000,
                                 prompt_name="dossier", created_at=when)
            repo.reserve_run(pending, None, now=when)
            repo.settle_run(pending.run_id, Usage(input_tokens=9_000, output_tokens=40),
                            CostBreakdown(input_nanos=1_350_000, output_nanos=24_000, price_version="v1"),
                            "completed", duration_ms=500, finished_at=when + timedelta(seconds=1))
    finally:
        repo.close()


async def test_w_re_prices_the_period_on_the_picked_model_per_group_and_in_total(make_app, dash_home):
    from promptlab_tui.core.money import format_usd
    from promptlab_tui.screens.dialogs.model_dialog import ModelDialog

    seed_history(dash_home)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_dashboard(pilot)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, ModelDialog)  # the model selector: every priced model
        await pilot.press(*"gpt-4o-mini", "enter")
        await settle(pilot)
        screen = dashboard_of(app)
        text = shown(screen.query_one("#dash-whatif"))
        # 8 gpt-4o runs: 8,840 in, 1,600 out at $0.15 / $0.60 per 1M = $0.002286 (actual $0.036)
        # 16 gpt-4o-mini runs: 17,920 in, 3,200 out = $0.004608 (actual as recorded 16 x $0.00027 = $0.00432)
        assert "What if · this month (2026-03-01 .. 2026-03-31) re-priced on gpt-4o-mini (openai)" in text
        gpt4o = next(line for line in text.splitlines() if line.strip().startswith("gpt-4o (openai)")).split()
        assert gpt4o[2:] == ["8", format_usd(36_000_000), format_usd(2_286_000), "-" + format_usd(33_714_000),
                             "-94", "%"]
        total = next(line for line in text.splitlines() if line.strip().startswith("Total")).split()
        assert total[1:] == ["24", format_usd(40_320_000), format_usd(6_894_000), "-" + format_usd(33_426_000),
                             "-83", "%"]
        assert screen.query_one("#dash-body").scroll_y > 0  # scrolled to the pane
        await pilot.press("left_square_bracket")  # February: nothing to re-price, the model is kept
        await settle(pilot)
        assert "No runs in this period to re-price." in shown(screen.query_one("#dash-whatif"))


async def test_e_shows_estimate_accuracy_by_model(make_app, dash_home):
    from promptlab_tui.core.money import format_usd

    seed_history(dash_home)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_dashboard(pilot)
        await pilot.press("e")
        await settle(pilot)
        screen = dashboard_of(app)
        assert screen.query_one("#dash-body").scroll_y > 0
        text = " ".join(shown(screen.query_one("#dash-accuracy")).split())
        # estimates said 1,000 in / 200 out: only run 0 (gpt-4o, 1,000 in) was exact; outputs always 200
        assert "gpt-4o 8 runs · input exact 1 of 8 (12 %) output error p50 0 / p90 0 tokens" in text
        assert "gpt-4o-mini 16 runs · input exact 0 of 16 (0 %)" in text
        # gpt-4o: expected $0.0004, billed $0.0045 a run; gpt-4o-mini: expected $0.0004, billed $0.00027
        error = format_usd(4_100_000)
        assert f"cost error p50 {error} (91 %) / p90 {error} (91 %) · previews ran low by " \
               f"{format_usd(32_800_000)} in total" in text
        mini = format_usd(130_000)
        assert f"cost error p50 {mini} (48 %) / p90 {mini} (48 %) · previews ran high by " \
               f"{format_usd(2_080_000)} in total" in text


async def test_i_explains_each_prompts_efficiency_score(make_app, dash_home):
    seed_history(dash_home)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_dashboard(pilot)
        await pilot.press("i")
        await settle(pilot)
        text = shown(dashboard_of(app).query_one("#dash-efficiency"))
        assert "/100 summarise" in text and "/100 classify" in text and "/100 translate" in text
        assert "peers" in text and "against the median prompt's" in text
        assert "output vs max tokens" in text and "answers use 39 % of max tokens" in text  # 200 of 512


async def test_dollar_shows_potential_and_achieved_savings_cache_hits_and_long_context(make_app, dash_home):
    from promptlab_tui.core.money import format_usd
    from promptlab_tui.store.repository import HistoryRepository

    ids = seed_history(dash_home)
    seed_cache_hits(dash_home, ids[:3], saved_nanos=4_500_000)
    seed_long_context(dash_home)
    prompt = dash_home / "summarise.md"
    prompt.write_text('+++\nname = "summarise"\nmodel = "gpt-4o"\nmax_tokens = 512\n+++\nSummarise this.\n',
                      encoding="utf-8")
    repo = HistoryRepository(dash_home / "promptlab.db")
    try:
        repo.save_prompt_ref("summarise", str(prompt))
    finally:
        repo.close()
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_dashboard(pilot)
        await pilot.press("dollar_sign")
        await settle(pilot)
        screen = dashboard_of(app)
        text = shown(screen.query_one("#dash-savings"))
        potential = format_usd(screen.recommendations.potential_monthly_savings_nanos)
        assert f"Potential: {potential} a month" in text
        assert f"Response cache: 3 hits this period saved {format_usd(13_500_000)}" in text
        assert "⚑ dossier on gpt-4o-mini: 9,000 tokens in for 40 out per run (3 runs)" in text
        assert "none applied yet" in text
        await pilot.press("a")  # apply the first recommendation naming the saved prompt
        await settle(pilot)
        text = shown(screen.query_one("#dash-savings"))
        assert "• summarise:" in text and "on 2026-03-14" in text and "no priced run since yet" in text


async def test_slash_filters_recent_activity_by_model_tag_and_status(make_app, dash_home):
    seed_history(dash_home, runs=60)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_dashboard(pilot)
        screen = dashboard_of(app)
        activity = screen.query_one("#dash-activity")
        await pilot.press("slash", *"model:gpt-4o tag:eval status:completed", "enter")
        await settle(pilot)
        # gpt-4o every 3rd run, tag eval every 2nd: runs 0, 6, ... 54 -> 10
        assert activity.row_count == 10 and {activity.get_row_at(i)[1] for i in range(10)} == {"gpt-4o"}
        title = shown(screen.query_one("#dash-activity-title"))
        assert "filter: model gpt-4o · tag eval · status completed" in title
        await pilot.press("slash", *" status:failed", "enter")  # failed: the 'error' status; none here
        await settle(pilot)
        assert activity.row_count == 0
        await pilot.press("slash", "ctrl+u", *"colour:red", "enter")
        await settle(pilot)
        box = screen.query_one("#dash-filter")
        assert not box.has_class("-hidden") and screen.activity_filter.status == "error"  # kept; said why
        await pilot.press("ctrl+u", "enter")  # an empty filter shows every run again
        await settle(pilot)
        assert activity.row_count == 50 and box.has_class("-hidden")


# FOCUS: the header, then an input and an output row a run
@pytest.mark.parametrize(("key", "name", "lines"), [("2", "promptlab-2026-03-01--2026-03-31.jsonl", 25),
                                                     ("3", "promptlab-2026-03-01--2026-03-31-focus.csv", 51)])
async def test_x_exports_as_the_chosen_format(make_app, dash_home, key, name, lines):
    seed_history(dash_home, runs=40)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_dashboard(pilot)
        await pilot.press("x", key)
        await settle(pilot)
        target = dash_home / "exports" / name
        content = target.read_text(encoding="utf-8").splitlines()
        assert len(content) == lines
        if key == "2":
            assert all(json.loads(line)["created_at"].startswith("2026-03") for line in content)
        else:
            assert "BilledCost" in content[0] and "EffectiveCost" in content[0]


async def test_the_palette_lists_every_dashboard_key(make_app, dash_home):
    from promptlab_tui.screens.commands import PromptLabCommands

    seed_history(dash_home)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_dashboard(pilot)
        labels = [entry.label for entry in PromptLabCommands(app.screen).entries()]
        for label in ("What if  (w)", "Accuracy  (e)", "Efficiency  (i)", "Savings  ($)", "Export  (x)",
                      "Filter  (/)", "Tables  (v)"):
            assert any(entry.startswith(label.split("  ")[0]) and label.split("  ")[1][:-1] in entry
                       for entry in labels), (label, labels)
        from promptlab_tui.widgets.footer.wrapping_footer import WrappingFooter

        items, _ = app.screen.query_one(WrappingFooter).items()
        footer = {(item.key_display, item.description) for item in items}
        for entry in (("w", "What if"), ("e", "Accuracy"), ("i", "Efficiency"), ("$", "Savings"), ("x", "Export")):
            assert entry in footer, footer


async def snap_state(pilot, *keys: str) -> None:
    await open_dashboard(pilot)
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


STATES = {
    "what_if": ("w", *"gpt-4o-mini", "enter"),
    "accuracy": ("e",),
    "efficiency": ("i",),
    "savings": ("dollar_sign",),
    "export_formats": ("x",),
    "filtered": ("slash", *"model:gpt-4o tag:eval", "enter"),
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("state", list(STATES))
def test_snapshot_dashboard_pane(snap_compare, make_app, dash_home, size, state):
    seed_budget(dash_home, monthly_usd="1")
    ids = seed_history(dash_home)
    seed_cache_hits(dash_home, ids[:2], saved_nanos=4_500_000)
    seed_long_context(dash_home)

    async def run_before(pilot):
        await snap_state(pilot, *STATES[state])

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


async def test_the_dashboard_opens_the_history_s_run_detail_and_a_delete_there_updates_its_totals(make_app, dash_home):
    from promptlab_tui.screens.history.run_detail_screen import RunDetailScreen

    from tests.app.conftest import lab_screen

    seed_history(dash_home, runs=3)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_dashboard(pilot)
        activity = dashboard_of(app).query_one("#dash-activity")
        activity.focus()
        activity.move_cursor(row=0)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RunDetailScreen)
        body = str(app.screen.query_one("#run-detail-body").render())
        for expected in ("Status", "completed", "Duration", "0.8 s", "Tokens", "1,000 in", "Cost: input",
                         "Cost: output", "Actual", "Estimate", "Price version", "v1", "Prompt", "summarise"):
            assert expected in body, expected
        await pilot.press("d", "d")  # delete: the dashboard's totals no longer count it
        await settle(pilot)
        screen = dashboard_of(app)
        assert screen.view.cards.runs.now == 2 and activity.row_count == 2
        assert lab_screen(app) is not None


async def test_the_what_if_follows_the_group_by(make_app, dash_home):
    from promptlab_tui.core.money import format_usd

    seed_history(dash_home)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_dashboard(pilot)
        await pilot.press("w")
        await settle(pilot)
        await pilot.press(*"gpt-4o-mini", "enter")
        await settle(pilot)
        screen = dashboard_of(app)
        await pilot.press("g")  # provider: one row, the same total
        await settle(pilot)
        lines = shown(screen.query_one("#dash-whatif")).splitlines()
        rows = [line.split() for line in lines if line.strip().startswith(("openai", "Total"))]
        assert rows[0][:4] == ["openai", "24", format_usd(40_320_000), format_usd(6_894_000)]
        assert rows[1][:4] == ["Total", "24", format_usd(40_320_000), format_usd(6_894_000)]
        await pilot.press("g")  # prompt: summarise is the gpt-4o prompt (8 runs, 8,840 in, 1,600 out)
        await settle(pilot)
        text = shown(screen.query_one("#dash-whatif"))
        summarise = next(line for line in text.splitlines() if line.strip().startswith("summarise")).split()
        assert summarise[:4] == ["summarise", "8", format_usd(36_000_000), format_usd(2_286_000)]
        total = next(line for line in text.splitlines() if line.strip().startswith("Total")).split()
        assert total[1:4] == ["24", format_usd(40_320_000), format_usd(6_894_000)]
        await pilot.press("g")  # tag: each tag's runs re-priced per model; prod is every run, eval the even ones
        await settle(pilot)
        text = shown(screen.query_one("#dash-whatif"))
        rows = {line.split()[0]: line.split() for line in text.splitlines() if line.strip().startswith(("prod", "eval"))}
        assert rows["prod"][:4] == ["prod", "24", format_usd(40_320_000), format_usd(6_894_000)]
        # eval: 4 gpt-4o runs (i = 0, 6, 12, 18: 4,360 in, 800 out -> $0.001134 on mini, $0.018 actual) and
        # 8 mini runs (8,960 in, 1,600 out -> $0.002304, $0.00216 actual)
        assert rows["eval"][:4] == ["eval", "12", format_usd(20_160_000), format_usd(3_438_000)]
        total = next(line for line in text.splitlines() if line.strip().startswith("Total")).split()
        assert total[1:4] == ["24", format_usd(40_320_000), format_usd(6_894_000)]  # each run once
        assert "By tag: a run with several tags counts in each of them" in text.replace("\n", " ")
        await pilot.press("g")  # source: these runs recorded none
        await settle(pilot)
        text = shown(screen.query_one("#dash-whatif"))
        row = next(line for line in text.splitlines() if line.strip().startswith("(not recorded)")).split()
        assert row[2:6] == ["24", format_usd(40_320_000), format_usd(6_894_000), "-" + format_usd(33_426_000)]
