"""Snapshots of the preview's new states, reached as a user would, at 80x24 and 160x48: a prompt opened with
a tool (each tool with its tokens), and a Claude prompt (approximate: the f8 online-count toggle offered)."""

from __future__ import annotations

import pytest

from tests.app.conftest import settle
from tests.app.test_lab_online_count import CLAUDE
from tests.app.test_lab_request_parts import WEATHER
from tests.app.test_snapshots import SIZES, snap_home  # noqa: F401  (the fixture)


def opening(name: str, text: str):
    async def run_before(pilot):
        from promptlab_tui.paths import app_paths

        folder = app_paths().prompts_dir
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.md").write_text(text)
        await settle(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_lab_preview_lists_tools(snap_compare, make_app, snap_home, size):  # noqa: F811
    assert snap_compare(make_app(), terminal_size=size, run_before=opening("weather", WEATHER))


@pytest.mark.parametrize("size", SIZES)
def test_lab_preview_offers_online_count(snap_compare, make_app, snap_home, size):  # noqa: F811
    assert snap_compare(make_app(), terminal_size=size, run_before=opening("water", CLAUDE))
