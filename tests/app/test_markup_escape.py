"""Names and messages inside Textual markup print as typed: Textual's own escape leaves "[ draft ]" and "[B]"
to its parser, which drops them as tags."""

from __future__ import annotations

import pytest
from textual.markup import to_content

from promptlab_tui.widgets.markup import escape
from tests.app.conftest import FIXED_NOW, seed_spend, settle
from tests.fakeprovider.behaviours import Behaviour
from tests.app.test_dashboard import dash_home, dashboard_of, open_dashboard, text_of  # noqa: F401


@pytest.mark.parametrize("text", ["[ and ] step", "summary [ draft ]", "a [B] c", "[b]bold?[/b]", "back\\[x] y",
                                  "ends with \\", "[@click=app.quit]x[/]", "plain"])
def test_escaped_text_reads_back_exactly(text):
    assert to_content(escape(text)).plain == text


async def test_the_dashboard_head_keeps_its_bracket_keys(make_app, dash_home):
    seed_spend(dash_home, "0.25", when=FIXED_NOW, model="gpt-4o")
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await open_dashboard(pilot)
        screen = dashboard_of(app)
        await pilot.press("left_square_bracket")  # the month before: nothing ran
        await settle(pilot)
        assert "No runs in this period: [ and ] step to other periods" in text_of(screen.query_one("#dash-head"))


async def test_a_compared_answer_with_checkboxes_shows_as_the_model_wrote_it(make_app, fake_provider_env,
                                                                            isolated_home):
    from tests.app.test_lab_choice import open_compare
    from promptlab_tui.widgets.compare.compare_column import CompareColumn

    answer = "- [ ] buy milk\n- [x] call Bob\n- [B] plan"
    fake_provider_env.default = Behaviour.reply(answer)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_compare(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        column = next(iter(screen.query(CompareColumn)))
        assert str(column.query_one(".compare-answer").render()) == answer
