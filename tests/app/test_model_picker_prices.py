"""The model picker shows each model's prices and which providers have a key (item 28)."""

from __future__ import annotations

from textual.widgets import OptionList

from tests.app.conftest import settle


async def test_the_model_list_shows_prices_and_which_providers_have_a_key(make_app, fake_provider_env):
    from promptlab_tui.screens.dialogs.model_dialog import ModelDialog

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ModelDialog)
        keys_line = str(dialog.query_one("#model-keys").render())
        assert "Keys set: openai, anthropic" in keys_line and "no key:" in keys_line and "together" in keys_line
        options = dialog.query_one(OptionList)
        texts = {options.get_option_at_index(i).id: str(options.get_option_at_index(i).prompt)
                 for i in range(options.option_count)}
        assert "$0.15 in · $0.60 out per 1M" in texts["openai:gpt-4o-mini"]
        assert "no key" not in texts["openai:gpt-4o-mini"]
        together = [text for key, text in texts.items() if key.startswith("together:")]
        assert together and all(text.endswith("· no key") for text in together)
        order = list(texts)
        assert max(order.index(k) for k in texts if k.startswith(("openai:", "anthropic:"))) < \
            min(order.index(k) for k in texts if k.startswith("together:"))  # what can run comes first
