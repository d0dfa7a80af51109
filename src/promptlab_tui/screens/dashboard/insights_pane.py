"""The dashboard's deeper panes: what if (`w` picks a model), estimate accuracy (`e`), prompt efficiency (`i`) and
savings with the response cache's hits (`$`). One worker reads them after the overview; each key scrolls to its
pane (the body scrolls at 80x24)."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.message import Message
from textual.widgets import Static

from promptlab_tui.widgets.dashboard import insight_figures as render


class PanesLoaded(Message):
    def __init__(self, panes: Any, period: Any, error: str | None) -> None:
        super().__init__()
        self.panes, self.period, self.error = panes, period, error


class WhatIfLoaded(Message):
    def __init__(self, what_if: Any, period: Any, error: str | None, by: str = "model") -> None:
        super().__init__()
        self.what_if, self.period, self.error, self.by = what_if, period, error, by


class WhatIfChoices(Message):
    def __init__(self, choices: list[Any], error: str | None) -> None:
        super().__init__()
        self.choices, self.error = choices, error


class InsightsMixin:
    """Mixed into DashboardScreen (which holds `service`, `view`, `period`, `recommendations`)."""

    panes: Any = None
    what_if_key: str | None = None  # 'provider:model' re-priced on, once the user picked one

    @work(thread=True, group="dashboard-panes", exclusive=True)
    def load_panes(self, period: Any) -> None:
        from promptlab_tui.services.dashboard_panes import load_panes

        try:
            self.post_message(PanesLoaded(load_panes(self.service, period), period, None))
        except Exception as error:  # noqa: BLE001 - the overview still shows; the panes say why they are empty
            self.post_message(PanesLoaded(None, period, f"Not available: {error}"))

    @work(thread=True, group="dashboard-what-if", exclusive=True)
    def load_what_if(self, period: Any, key: str, group_by: str = "model") -> None:
        from promptlab_tui.services.dashboard_panes import what_if_grouped

        provider, _, model = key.partition(":")
        try:
            what, by = what_if_grouped(self.service, period, model, provider, group_by)
            self.post_message(WhatIfLoaded(what, period, None, by))
        except Exception as error:  # noqa: BLE001 - an unpriced model: said in the pane
            self.post_message(WhatIfLoaded(None, period, str(error)))

    @work(thread=True, group="dashboard-what-if-models", exclusive=True)
    def load_what_if_choices(self) -> None:
        from promptlab_tui.services.dashboard_panes import what_if_choices

        try:
            self.post_message(WhatIfChoices(what_if_choices(self.service), None))
        except Exception as error:  # noqa: BLE001 - unreadable prices
            self.post_message(WhatIfChoices([], f"Prices not available: {error}"))

    def reload_insights(self, period: Any) -> None:
        """After the overview of a new period: the panes, and the what-if on the model picked before."""
        self.load_panes(period)
        self.reload_what_if(period)

    def reload_what_if(self, period: Any) -> None:
        """The what-if on the model picked before, per the current group-by (after a period or group switch)."""
        if self.what_if_key is not None:
            self.load_what_if(period, self.what_if_key, self.group_by)

    def on_panes_loaded(self, message: PanesLoaded) -> None:
        if self.view is None or message.period != self.view.period:
            return  # an older period's answer
        self.panes = message.panes
        if message.error:
            for pane in ("#dash-accuracy", "#dash-efficiency", "#dash-savings"):
                self.query_one(pane, Static).update(message.error)
            return
        self.query_one("#dash-accuracy", Static).update(render.accuracy_renderable(message.panes))
        self.query_one("#dash-efficiency", Static).update(render.efficiency_renderable(message.panes))
        self.show_savings()

    def show_savings(self) -> None:
        self.query_one("#dash-savings", Static).update(render.savings_renderable(
            self.panes, self.recommendations, self._applicable() is not None))

    def on_what_if_loaded(self, message: WhatIfLoaded) -> None:
        if self.view is None or message.period != self.view.period:
            return
        target = self.query_one("#dash-whatif", Static)
        if message.error:
            target.update(render.what_if_renderable(None, message.error))
        else:
            target.update(render.what_if_renderable(message.what_if, self.view.period.title, message.by,
                                                    self.group_by))

    def on_what_if_choices(self, message: WhatIfChoices) -> None:
        if message.error:
            self.notify(message.error, severity="error")
            return
        from promptlab_tui.screens.dialogs.model_dialog import ModelDialog

        self.app.push_screen(ModelDialog(message.choices, self.what_if_key, "What if: re-price this period on"), self._what_if_picked)

    def _what_if_picked(self, key: str | None) -> None:
        if key is None or self.view is None:
            return
        self.what_if_key = key
        self.query_one("#dash-whatif", Static).update(render.what_if_renderable(None, f"re-pricing on {key}…"))
        self._scroll_to("#dash-whatif")
        self.load_what_if(self.view.period, key, self.group_by)

    def _scroll_to(self, selector: str) -> None:
        self.query_one("#dash-body").scroll_to_widget(self.query_one(selector), top=True, animate=False)

    def action_what_if(self) -> None:
        self.load_what_if_choices()

    def action_show_pane(self, name: str) -> None:
        self._scroll_to(f"#dash-{name}")
