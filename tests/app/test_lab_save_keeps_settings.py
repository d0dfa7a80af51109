"""Journey: open a prompt file in the Lab, edit it, ctrl+s: the front matter the editor has no field for
(auto, quality, max_cost, fallback, session_budget, cache, tags) is still in the file afterwards."""

from __future__ import annotations

from promptlab_tui.core.promptfile import load_prompt_file
from tests.app.conftest import lab_screen, settle

AUTO_FILE = '''+++
name = "probe"
model = "auto"
quality = "high"
max_cost = 0.05
fallback = ["gpt-4o", "claude-3-haiku"]
session_budget = 1.0
cache = true
tags = ["probe", "v2"]
max_tokens = 200
+++

Say hello.
'''


async def test_saving_an_opened_file_keeps_its_front_matter(make_app, isolated_home, needs_vocab):
    prompts = isolated_home / "prompts"
    prompts.mkdir(parents=True, exist_ok=True)
    path = prompts / "probe.md"
    path.write_text(AUTO_FILE, encoding="utf-8")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        lab = lab_screen(app)
        assert lab.prompt_path == path
        lab.query_one("#user-text").focus()
        await pilot.press("end", "space", "T", "h", "e", "r", "e")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
    saved = load_prompt_file(path)
    assert saved.messages[-1].content.endswith("Say hello. There")  # the edit was saved
    assert saved.model == "auto" and saved.quality == "high"
    assert saved.max_cost_nanos == 50_000_000 and saved.session_budget_nanos == 1_000_000_000
    assert saved.fallback == ["gpt-4o", "claude-3-haiku"] and saved.cache is True
    assert saved.tags == ["probe", "v2"] and saved.name == "probe" and saved.max_tokens == 200
    text = path.read_text(encoding="utf-8")
    assert text.startswith("+++\n") and text.endswith("\n+++\n\nSay hello. There\n")  # still front matter + body
