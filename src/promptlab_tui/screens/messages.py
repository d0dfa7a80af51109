"""Messages the app's workers post (prices, budget, alerts, settings); the handlers that receive them own the state.

The Lab's own messages are in screens/lab/messages.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from promptlab_tui.services.views import AlertView, BudgetSettingsView, BudgetView, ModelChoice


class PricingLoaded(Message):
    def __init__(self, pricing: Any, models: list[ModelChoice], error: str | None = None) -> None:
        super().__init__()
        self.pricing = pricing
        self.models = models
        self.error = error


class BudgetLoaded(Message):
    def __init__(self, budget: BudgetView | None, settings: BudgetSettingsView | None, alerts: list[AlertView],
                 error: str | None = None) -> None:
        super().__init__()
        self.budget = budget
        self.settings = settings
        self.alerts = alerts
        self.error = error


class BudgetSaved(Message):
    def __init__(self, settings: BudgetSettingsView, error: str | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.error = error


class AlertsAcknowledged(Message):
    def __init__(self, error: str | None) -> None:
        super().__init__()
        self.error = error


class SettingsNotSaved(Message):
    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error
