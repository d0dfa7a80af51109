"""f8: exact input counts from the provider's own count endpoint (config `count_online`, default off).

Only offered while the local count is approximate. Counting sends the prompt to the provider, so it
happens only with the setting on, once typing has paused (a timer restarted by every preview), in a
thread worker; the engine's OnlineCounter caches by content, and offline the preview says so.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from textual import work

from promptlab_tui.screens.lab.messages import PreviewReady

ONLINE_DEBOUNCE_S = 0.6  # a count endpoint call per pause in typing, not per keystroke


class OnlineCountMixin:
    """For LabScreen: the toggle and the debounced online count (state set only by handlers)."""

    _online_timer: Any = None

    def online_enabled(self) -> bool:
        config = getattr(self.app, "config", None)
        return bool(config is not None and config.count_online)

    def online_offered(self) -> bool:
        preview = getattr(self, "last_preview", None)
        return preview is not None and preview.online is not None

    def action_toggle_count_online(self) -> None:
        config = self.app.config
        if config is None:
            self.notify("The config file could not be read: the setting cannot be saved.", severity="error")
            return
        config.count_online = not config.count_online
        self.app.save_config_later()
        if config.count_online:
            self.notify("Exact counts online: on. Counting sends the prompt to the provider.", timeout=5)
        else:
            self.notify("Exact counts online: off.", timeout=3)
        self.schedule_preview(0)

    def online_after_preview(self, preview: Any, generation: int) -> None:
        """After each preview: restart the pause timer when an online count would make it exact."""
        if self._online_timer is not None:
            self._online_timer.stop()
            self._online_timer = None
        if preview is None or preview.exact or preview.online is None or not self.online_enabled():
            return
        self._online_timer = self.set_timer(ONLINE_DEBOUNCE_S, partial(self._start_online_count, generation))

    def _start_online_count(self, generation: int) -> None:
        self._online_timer = None
        if generation != self.generation or self.running:
            return  # typed again since: that preview will restart the timer
        inputs = self.editor.preview_inputs()
        if self.request_extras is not None:
            inputs = inputs._replace(extras=self.request_extras)
        self.count_online(self.values_to_send(), inputs, generation)

    @work(thread=True, exclusive=True, group="online-count")
    def count_online(self, values: Any, inputs: Any, generation: int) -> None:
        engine = self.get_engine()
        result = engine.online_count(values)
        try:
            preview, _ = engine.compute(inputs, self.app.pricing, self.prompt_name, online=result)
        except Exception:  # the local preview stays; the next edit tries again
            return
        self.post_message(PreviewReady(preview, generation))
