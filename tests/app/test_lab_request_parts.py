"""Journey: open a prompt whose front matter carries a tool; the preview lists it with its tokens, the run
sends it, the next preview shows the expected time and the running view counts against it."""

from __future__ import annotations

from promptlab_tui.core.duration import DurationEstimate
from tests.app.conftest import lab_screen, settle
from tests.fakeprovider.behaviours import Behaviour

WEATHER = '''+++
model = "gpt-4o"
system = "You are a helpful assistant that can answer to questions about the weather."
tools = [{type = "function", function = {name = "get_current_weather", description = "Get the current weather in a given location", parameters = {type = "object", properties = {location = {type = "string", description = "The city and state, e.g. San Francisco, CA"}, unit = {type = "string", description = "The unit of temperature to return", enum = ["celsius", "fahrenheit"]}}, required = ["location"]}}}]
+++

What's the weather like in San Francisco?
'''


def preview_of(app):
    from promptlab_tui.widgets.preview.preview_pane import PreviewPane

    return lab_screen(app).query_one(PreviewPane)


async def test_an_opened_tool_prompt_is_previewed_run_and_timed(make_app, fake_provider_env, isolated_home,
                                                                  needs_vocab):
    (isolated_home / "prompts").mkdir(parents=True, exist_ok=True)
    (isolated_home / "prompts" / "weather.md").write_text(WEATHER)
    fake_provider_env.default = Behaviour.reply("It is sunny and mild in San Francisco today, around 18 degrees.")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        pane = preview_of(app)
        assert pane.preview.input_tokens == 101 and pane.preview.exact  # the cookbook's API figure
        assert pane.preview.parts[0].startswith("Tool get_current_weather ")
        assert "Tool get_current_weather" in str(pane.render())

        lab = lab_screen(app)
        for _ in range(3):  # the expected time shows from the third run on
            await pilot.press("ctrl+r")
            await settle(pilot)
            assert not lab.running
        assert fake_provider_env.last_request.body["tools"][0]["function"]["name"] == "get_current_weather"
        assert fake_provider_env.last_request.usage["prompt_tokens"] == 101  # billed as previewed
        lab.schedule_preview(0)
        await settle(pilot)
        duration = pane.preview.duration
        assert isinstance(duration, DurationEstimate) and duration.runs == 3
        assert "Time      ~" in str(pane.render())

        lab.results.start("gpt-4o", DurationEstimate(2000, 4000, 1, "b"))
        lab.results._clock = lambda: lab.results._started + 1.5
        lab.results._flush()
        assert lab.results.run_bar.status.endswith("1.5 s of ~2.0 s")


async def test_a_json_request_file_in_the_prompts_folder_opens_with_its_tool(make_app, isolated_home, needs_vocab):
    import json

    request = {"model": "gpt-4o", "messages": [
        {"role": "system", "content": "You are a helpful assistant that can answer to questions about the weather."},
        {"role": "user", "content": "What's the weather like in San Francisco?"}],
        "tools": [{"type": "function", "function": {
            "name": "get_current_weather", "description": "Get the current weather in a given location",
            "parameters": {"type": "object", "properties": {
                "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
                "unit": {"type": "string", "description": "The unit of temperature to return",
                         "enum": ["celsius", "fahrenheit"]}}, "required": ["location"]}}}]}
    (isolated_home / "prompts").mkdir(parents=True, exist_ok=True)
    (isolated_home / "prompts" / "weather.json").write_text(json.dumps(request))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        pane = preview_of(app)
        assert pane.preview.input_tokens == 101 and pane.preview.exact  # the same request as weather.md
        assert pane.preview.parts[0].startswith("Tool get_current_weather ")
