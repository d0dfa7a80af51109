"""Saved prompts: save, open, rename, duplicate; files stay plain Markdown with TOML front matter."""

from __future__ import annotations

from tests.app.conftest import lab_screen, settle


def prompt_files(home):
    return sorted(p.name for p in (home / "prompts").glob("*.md"))


async def save_as(pilot, name: str) -> None:
    await pilot.press("ctrl+s")
    await settle(pilot)
    await pilot.press(*name, "enter")
    await settle(pilot)


async def test_save_then_open_in_a_new_session(make_app, isolated_home):
    from promptlab_tui.core.promptfile import load_prompt_file
    from promptlab_tui.widgets.editor.editor_pane import EditorPane

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"Review this SQL query")
        await settle(pilot)
        await save_as(pilot, "sql review")
        lab = lab_screen(app)
        assert lab.prompt_name == "sql review" and not lab.dirty
    assert prompt_files(isolated_home) == ["sql-review.md"]  # no spaces in file names (issue 8, item 30)
    spec = load_prompt_file(isolated_home / "prompts" / "sql-review.md")
    assert spec.user_messages[0].content == "Review this SQL query"
    assert spec.model == "gpt-4o-mini" and spec.max_tokens == 1024

    again = make_app()
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        values = lab_screen(again).query_one(EditorPane).values()
        assert values.user == "Review this SQL query"
        assert lab_screen(again).prompt_name == "sql review"


async def test_ctrl_s_on_an_opened_prompt_saves_in_place(make_app, isolated_home):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"first")
        await settle(pilot)
        await save_as(pilot, "draft")
        await pilot.press(*" and second")
        await settle(pilot)
        assert lab_screen(app).dirty
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not lab_screen(app).dirty
    assert prompt_files(isolated_home) == ["draft.md"]
    assert "first and second" in (isolated_home / "prompts" / "draft.md").read_text()


async def test_rename_and_duplicate(make_app, isolated_home):
    from promptlab_tui.core.promptfile import load_prompt_file

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"hello")
        await settle(pilot)
        await save_as(pilot, "one")
        await pilot.press("ctrl+o")
        await settle(pilot)
        await pilot.press("tab", "home", "ctrl+k", *"two", "ctrl+d")  # list -> name field; duplicate as 'two'
        await settle(pilot)
        assert prompt_files(isolated_home) == ["one.md", "two.md"]
        await pilot.press("ctrl+o")
        await settle(pilot)
        await pilot.press("tab", "home", "ctrl+k", *"uno", "ctrl+r")  # rename the highlighted 'one'
        await settle(pilot)
        assert lab_screen(app).prompt_name == "uno"  # the open prompt follows its file
    assert prompt_files(isolated_home) == ["two.md", "uno.md"]
    assert load_prompt_file(isolated_home / "prompts" / "two.md").name == "two"


async def test_save_as_never_overwrites(make_app, isolated_home):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"a")
        await settle(pilot)
        await save_as(pilot, "same")
        await pilot.press("ctrl+n", *"b")
        await settle(pilot)
        await save_as(pilot, "same")
        assert lab_screen(app).prompt_name is None  # not saved: the error says the file exists
    assert (isolated_home / "prompts" / "same.md").read_text().rstrip().endswith("a")
