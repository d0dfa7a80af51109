"""The app's runs list (f5) says a cache hit is one, and what it saved, as `promptlab history` does; its estimate
error is blank (nothing was billed), not -100 %."""

from __future__ import annotations

from promptlab_tui.core.money import format_usd
from tests.app.conftest import settle
from tests.choice.helpers import run_json, write_prompt
from tests.fakeprovider.behaviours import Behaviour


async def test_the_runs_list_shows_a_cache_hit_and_what_it_saved(make_app, fake_provider_env, isolated_home,
                                                                 tmp_path, capsys):
    fake_provider_env.default = Behaviour.reply("2, 3, 5")
    path = write_prompt(tmp_path, "p.md", model="gpt-4o-mini", cache=True)
    _, (first,) = run_json(capsys, path)
    _, (hit,) = run_json(capsys, path)
    saved = int(first["cost"]["total_nanos"])
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        table = app.screen.query_one("DataTable")
        rows = {table.coordinate_to_cell_key((i, 0)).row_key.value: table.get_row_at(i) for i in range(table.row_count)}
        assert rows[hit["run_id"]][5] == f"cache hit, saved {format_usd(saved)}"
        assert rows[hit["run_id"]][3] == ""  # no estimate error for a run nothing was billed for
        assert rows[first["run_id"]][5] == "completed"
