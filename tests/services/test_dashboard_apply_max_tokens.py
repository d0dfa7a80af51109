"""Issue 9: a recommendation that lowers a saved prompt's max tokens is applied to the file and undone (the
model switch has its own test in test_dashboard.py)."""

from __future__ import annotations

import pytest

from tests.services.test_dashboard import dashboard  # noqa: F401


def test_lowering_max_tokens_is_applied_to_the_saved_prompt_and_undone(dashboard, tmp_path):  # noqa: F811
    from promptlab_tui.core.analytics.recommend import Change
    from promptlab_tui.core.promptfile import load_prompt_file
    from promptlab_tui.services.dashboard_apply import ChangeConflict

    path = tmp_path / "summarise.md"
    original = '+++\nname = "summarise"\nmodel = "gpt-4o"\nmax_tokens = 4096\n+++\n\nSummarise this.\n'
    path.write_text(original)
    dashboard.context.repository.save_prompt_ref("summarise", str(path))
    applied = dashboard.apply(Change("summarise", "max_tokens", 4096, 512))
    changed = load_prompt_file(path)
    assert changed.max_tokens == 512 and changed.model == "gpt-4o"  # only the named field changes
    assert len(dashboard.achieved()) == 1  # remembered, so its effect can be shown later
    dashboard.undo(applied)
    assert path.read_text() == original
    with pytest.raises(ChangeConflict):  # the file no longer says what the recommendation saw
        dashboard.apply(Change("summarise", "max_tokens", 2048, 512))
    assert path.read_text() == original
