"""services.prompt_store.save_prompt over an existing file keeps what the editor has no field for, in the
file's own form (JSON stays JSON), and a new file or a changed field is written from the editor."""

from __future__ import annotations

import json
from decimal import Decimal

from promptlab_tui.core.promptfile import load_prompt_file
from promptlab_tui.services import prompt_store
from promptlab_tui.services.editor_values import EditorValues


def editor(user: str, model: str = "gpt-4o-mini", max_tokens: int = 300, cap: str | None = None) -> EditorValues:
    """As the Lab hands it over; `cap` is its Cap field (the Lab fills it from a file's max_cost)."""
    return EditorValues("", user, "openai", model, max_tokens, None, None if cap is None else Decimal(cap))


def test_a_json_prompt_keeps_its_settings_and_stays_json(isolated_home, tmp_path):
    path = tmp_path / "req.json"
    path.write_text(json.dumps({"model": "gpt-4o", "tags": ["a"], "max_cost": 0.02, "cache": False,
                                "fallback": ["gpt-4o-mini"], "messages": [{"role": "user", "content": "Hi"}]}))
    prompt_store.save_prompt(None, editor("Hi there", model="gpt-4o", cap="0.02"), path, "req")
    data = json.loads(path.read_text())  # still JSON
    assert data["messages"][-1] == {"role": "user", "content": "Hi there"} and data["max_tokens"] == 300
    assert data["tags"] == ["a"] and data["max_cost"] == "0.02" and data["cache"] is False
    assert data["fallback"] == ["gpt-4o-mini"]


def test_the_editors_model_wins_over_a_concrete_model_in_the_file(isolated_home, tmp_path):
    path = tmp_path / "p.md"
    path.write_text('+++\nmodel = "gpt-4o"\ntags = ["x"]\nsession_budget = 2\n+++\n\nHello\n')
    prompt_store.save_prompt(None, editor("Hello", model="claude-3-haiku"), path, "p")
    saved = load_prompt_file(path)
    assert saved.model == "claude-3-haiku" and saved.tags == ["x"] and saved.session_budget_nanos == 2_000_000_000


def test_a_new_file_is_the_editor_alone(isolated_home):
    saved = prompt_store.save_prompt(None, editor("Hello"), None, "fresh")
    spec = load_prompt_file(saved)
    assert spec.tags == [] and spec.fallback == [] and spec.cache is None and spec.model == "gpt-4o-mini"
