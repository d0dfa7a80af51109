"""A loaded request's tools and images ride along with the Lab's two texts, counted once per model."""

from __future__ import annotations

import struct

from promptlab_tui.core.request_tokens import RequestExtras, count_prompt, extras_cost
from promptlab_tui.core.types import ChatMessage, PromptSpec
from tests.conftest import requires_vocab
from tests.core.test_tool_tokens import WEATHER_MESSAGES, WEATHER_TOOL


@requires_vocab
def test_extras_add_exactly_what_the_whole_request_counts():
    spec = PromptSpec(messages=list(WEATHER_MESSAGES), model="gpt-4o", tools=[WEATHER_TOOL])
    extras = RequestExtras.of(spec)
    cost = extras_cost(extras, "gpt-4o")
    texts_only = count_prompt(PromptSpec(messages=list(WEATHER_MESSAGES), model="gpt-4o")).tokens
    assert texts_only + cost.tokens == 101 and cost.exact
    assert cost.lines[0].startswith("Tool get_current_weather ") and cost.lines[-1] == "Tools framing 12"


def test_images_go_with_the_last_user_message_and_are_listed_one_by_one(tmp_path):
    path = tmp_path / "a.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">II", 512, 512) + b"\0" * 5)
    part = {"type": "image_url", "image_url": {"url": str(path), "detail": "high"}}
    spec = PromptSpec(messages=[ChatMessage("user", "Look", parts=({"type": "text", "text": "Look"}, part))],
                      model="gpt-4o")
    extras = RequestExtras.of(spec)
    sent = extras.apply(PromptSpec(messages=[ChatMessage("system", "S"), ChatMessage("user", "Edited")]))
    assert sent.messages[1].parts == ({"type": "text", "text": "Edited"}, part)
    assert extras_cost(extras, "gpt-4o").lines == ("Image 1 255 (512x512 png, detail high)",)
    assert extras_cost(extras, "gpt-4o").tokens == 255
    assert RequestExtras.of(PromptSpec(messages=[ChatMessage("user", "plain")])) is None
