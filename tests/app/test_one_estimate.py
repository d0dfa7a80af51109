"""One estimate everywhere: the Lab's preview and its tips give the CLI's amounts (issue 8, item 18)."""

from __future__ import annotations

import json

from tests.app.conftest import FIXED_NOW, lab_screen, settle

TEXT = "Write a haiku about the sea"


def seed_answers(home, output_tokens: int, runs: int = 3) -> None:
    """Past runs of gpt-4o-mini whose answers were `output_tokens` long (the history the estimate learns from)."""
    from promptlab_tui.core.history import PendingRun
    from promptlab_tui.core.types import CostBreakdown, Usage
    from promptlab_tui.store.repository import HistoryRepository

    repo = HistoryRepository(home / "promptlab.db")
    try:
        for _ in range(runs):
            pending = PendingRun(provider="openai", model="gpt-4o-mini", max_tokens=1024, estimate_input_tokens=14,
                                 estimate_output_tokens=400, expected_cost_nanos=0, worst_cost_nanos=0,
                                 created_at=FIXED_NOW)
            repo.reserve_run(pending, None, now=FIXED_NOW)
            repo.settle_run(pending.run_id, Usage(input_tokens=14, output_tokens=output_tokens),
                            CostBreakdown(input_nanos=2_100, output_nanos=output_tokens * 600), "completed",
                            finished_at=FIXED_NOW)
    finally:
        repo.close()


async def test_the_lab_and_the_cli_give_the_same_estimate_and_tips(make_app, isolated_home, tmp_path, capsys,
                                                                    needs_vocab):
    from promptlab_tui.cli.main import main

    seed_answers(isolated_home, 567)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press(*TEXT)
        await settle(pilot)
        await settle(pilot)  # the tips come in a second message
        preview = lab_screen(app).last_preview
    assert preview is not None and preview.expected_output == 567 and preview.tips

    path = tmp_path / "haiku.md"
    path.write_text(f'+++\nmodel = "gpt-4o-mini"\nmax_tokens = 1024\n+++\n{TEXT}\n', encoding="utf-8")
    capsys.readouterr()
    assert main(["estimate", "--json", str(path)]) == 0
    cli = json.loads(capsys.readouterr().out)
    assert cli["output_tokens"]["expected"] == 567
    assert cli["input_tokens"] == preview.input_tokens
    assert cli["cost"]["expected_nanos"] == preview.expected_nanos
    assert cli["tips"] == list(preview.tips)
    # before: the tips priced the alternatives at the 400-token guess while the main line used the history's 567
    for tip in preview.tips:
        model, _, amount = tip.partition(" would cost ")
        assert amount.split(",")[0] == at_567(model), tip


def at_567(model: str) -> str:
    """What `model` costs for this prompt when its answer is 567 tokens long, as a tip shows it."""
    from types import SimpleNamespace

    from promptlab_tui.core.estimate import estimate_run_cost
    from promptlab_tui.core.money import format_usd
    from promptlab_tui.core.pricing import load_pricing
    from promptlab_tui.core.types import ChatMessage, PromptSpec

    spec = PromptSpec(messages=[ChatMessage("user", TEXT)], model=model, max_tokens=1024)
    stats = SimpleNamespace(count=3, mean=567.0, p90=567.0)
    return format_usd(estimate_run_cost(spec, load_pricing(), output_stats=stats).expected_cost_nanos)
