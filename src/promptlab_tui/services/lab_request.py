"""The request a Lab run sends, from the editor's values: one place for the run, its confirm question and the
preview's cache check, so all three see the same request."""

from __future__ import annotations

from typing import Any

from promptlab_tui.core.money import usd_to_nanos
from promptlab_tui.services.editor_values import EditorValues
from promptlab_tui.services.preview_engine import prompt_from


def prompt_and_options(values: EditorValues, accept_capped: bool = False, prompt_name: str | None = None,
                        history: tuple[Any, ...] = (), link: Any = None) -> tuple[Any, Any]:
    """The PromptSpec and RunOptions a Lab run sends (the same for its estimate before the run)."""
    from promptlab_tui.services.run_types import RunOptions

    prompt = prompt_from(values)
    prompt.name = prompt_name
    if history:  # a conversation: the turns so far between the system message and the new user message
        prompt.messages = [*prompt.messages[:-1], *history, prompt.messages[-1]]
    auto = values.model == "auto"
    options = RunOptions(model=values.model, provider=None if auto else values.provider, max_tokens=values.max_tokens,
                         max_cost_nanos=usd_to_nanos(values.cost_cap_usd) if values.cost_cap_usd else None,
                         accept_capped=accept_capped, link=link, source="lab",
                         quality=getattr(values, "quality", None) if auto else None)
    return prompt, options
