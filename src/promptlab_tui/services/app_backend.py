"""The app's adapters over the core, the store and the run pipeline: core objects in, view models out.

Called only from thread workers (it pulls in the pricing table, the tokenizer and the database), so
nothing here is on the path to the first frame. Textual-free: the workers post what it returns.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime, timezone
from typing import Any

from promptlab_tui.core.budget import BudgetSettings, format_reset, tightest
from promptlab_tui.core.history import AlertRecord
from promptlab_tui.core.money import format_usd
from promptlab_tui.services.views import (
    AlertView,
    BudgetSettingsView,
    BudgetView,
    ModelChoice,
)

Clock = Callable[[], datetime]


def repository(ctx: Any):
    """The history of the app's ServiceContext (raises StoreError when it cannot be opened)."""
    repo = ctx.repository
    if repo is None:
        raise RuntimeError("history tracking is off")
    return repo


def utc_now() -> datetime:
    return datetime.now(UTC)


# ---- pricing ------------------------------------------------------------------------------------

def load_models(ctx: Any) -> tuple[Any, list[ModelChoice], str | None]:
    """The merged price table and the models the picker lists (file order, provider shown)."""
    from promptlab_tui.core.pricing import PricingError

    try:
        table = ctx.pricing
    except (PricingError, OSError) as error:
        return None, [], f"Prices not loaded, costs unknown until fixed: {error}"
    keys: dict[str, bool] = {}
    models = []
    for price in table.models():
        if price.provider not in keys:
            keys[price.provider] = _can_run(price.provider, ctx)
        models.append(ModelChoice(price.provider, price.model, price.display_name or price.model,
                                  price_text(price), keys[price.provider], price.is_free))
    models.sort(key=lambda choice: not choice.has_key)  # what the user can run first, file order kept
    return table, models, None


def price_text(price: Any) -> str:
    """"$0.15 in · $0.60 out per 1M" (tokens), by core.money's one rule."""
    from promptlab_tui.core.money import usd_to_nanos

    return (f"{format_usd(usd_to_nanos(price.input))} in · {format_usd(usd_to_nanos(price.output))} out "
            "per 1M")


def _can_run(provider: str, ctx: Any) -> bool:
    from promptlab_tui.providers.registry import can_run

    try:
        return can_run(provider, ctx.config)
    except Exception:  # an unreadable config: the run itself will say why
        return False


def monthly_usage_estimate(pricing: Any, model_key: str, runs: int, tokens_in: int,
                           tokens_out: int) -> tuple[int | None, int | None]:
    """(estimated monthly spend, recommended budget) for the setup wizard; None when unpriced."""
    from promptlab_tui.core.budget import recommend_first_budget
    from promptlab_tui.core.pricing_cost import cost_of_usage
    from promptlab_tui.core.types import Usage

    if pricing is None or runs <= 0:
        return (0 if runs <= 0 else None), None
    provider, _, model = model_key.partition(":")
    price = pricing.resolve(model, provider or None)
    if price is None:
        return None, None
    per_run = cost_of_usage(price, Usage(input_tokens=tokens_in, output_tokens=tokens_out)).total_nanos
    return recommend_first_budget(per_run, runs)


# ---- budget and alerts --------------------------------------------------------------------------

def budget_view(settings: BudgetSettings, statuses: list, now: datetime) -> BudgetView | None:
    status = tightest(statuses)
    if status is None:
        return None
    return BudgetView(
        period=status.kind,
        spent_nanos=status.spent_nanos,
        limit_nanos=status.limit_nanos,
        reserved_nanos=status.reserved_nanos,
        mode=settings.mode,
        thresholds=tuple(settings.thresholds),
        projected_nanos=status.projected_nanos,
        suggested_nanos=status.suggested_limit_nanos,
        resets=f"resets {format_reset(status.end, settings.timezone)}",
        unpriced_runs=status.unpriced_runs,
    )


def settings_view(settings: BudgetSettings | None) -> BudgetSettingsView | None:
    if settings is None:
        return None
    return BudgetSettingsView(
        daily_nanos=settings.daily_limit_nanos,
        weekly_nanos=settings.weekly_limit_nanos,
        monthly_nanos=settings.monthly_limit_nanos,
        thresholds=tuple(settings.thresholds),
        mode=settings.mode,
        max_tokens_per_prompt=settings.max_tokens_per_prompt,
    )


def alert_view(alert: AlertRecord) -> AlertView:
    short = (f"{alert.period_kind.capitalize()} budget {alert.threshold}% reached: "
             f"{format_usd(alert.spent_nanos, beside=alert.limit_nanos)} of {format_usd(alert.limit_nanos)}")
    return AlertView(alert_id=alert.id, level=alert.level, message=alert.message, period=alert.period_kind,
                     created=f"{alert.created_at:%Y-%m-%d %H:%M} UTC", short=short,
                     period_start=alert.period_start.isoformat() if alert.period_start else "")


BudgetRead = tuple[BudgetView | None, BudgetSettingsView | None, list[AlertView], str | None]


def read_budget_now(ctx: Any, now: datetime | None = None) -> BudgetRead | None:
    """The budget as stored, for the first frame (about 10 ms on any history: a few indexed reads of the
    rollup); None when the history must first be created or upgraded, which is left to a worker.
    Start-up maintenance follows in a worker (`start_up_history`): pending runs already count as held."""
    try:
        if not ctx.tracking or not repository(ctx).readable_as_is():
            return None
    except Exception:  # damaged, unreadable: the worker says why
        return None
    found = read_budget(ctx, now, maintenance=False)
    return None if found[3] else found


def history_stamp(ctx: Any) -> tuple[int, ...]:
    """Modification times and sizes of the history's files: a change means some process wrote to it
    (two stat calls, no query: cheap enough for a timer on the UI thread)."""
    repo = ctx.repository if ctx.tracking else None
    if repo is None:
        return ()
    stamp: list[int] = []
    for path in (repo.path, repo.path.with_name(repo.path.name + "-wal")):
        try:
            found = path.stat()
            stamp += [found.st_mtime_ns, found.st_size]
        except OSError:
            stamp += [0, 0]
    return tuple(stamp)


def start_up_history(ctx: Any) -> bool:
    """Settle runs left by a dead process and apply retention; True when that changed what the bar shows."""
    try:
        report = ctx.startup_maintenance()
    except Exception:  # the budget read that follows reports the problem
        return True
    return bool(report.settled)  # (retention drops texts, never spend)


def read_budget(ctx: Any, now: datetime | None = None, maintenance: bool = True) -> BudgetRead:
    """Budget bar, dialog settings and unacknowledged alerts (oldest first) in one worker call."""
    now = now or utc_now()
    try:
        repo = repository(ctx)
        if maintenance:
            ctx.startup_maintenance()  # settle runs left by a dead process, apply retention, before showing spend
        settings = repo.get_budget()
        alerts = [alert_view(a) for a in reversed(repo.alerts())]
        if settings is None or not settings.has_limits:
            return None, settings_view(settings), alerts, None
        return budget_view(settings, repo.budget_status(settings, now), now), settings_view(settings), alerts, None
    except Exception as error:  # a damaged or read-only database: the app still opens and previews
        return None, None, [], f"History not available: {error}"


def save_budget(ctx: Any, view: BudgetSettingsView) -> str | None:
    """Store what the dialog edited, keeping fields the dialog does not show (time zone, caps)."""
    try:
        repo = repository(ctx)
        current = repo.get_budget() or BudgetSettings()
        settings = dataclasses.replace(
            current,
            daily_limit_nanos=view.daily_nanos,
            weekly_limit_nanos=view.weekly_nanos,
            monthly_limit_nanos=view.monthly_nanos,
            thresholds=tuple(view.thresholds),
            mode=view.mode,
            max_tokens_per_prompt=view.max_tokens_per_prompt,
        )
        repo.save_budget(settings)
        repo.record_threshold_alerts(settings)
    except Exception as error:  # settings error or unwritable database: the dialog's values are not lost
        return str(error)
    return None


def acknowledge_alerts(ctx: Any, ids: list[Any]) -> str | None:
    try:
        repo = repository(ctx)
        for alert_id in ids:
            repo.acknowledge_alert(int(alert_id))
    except Exception as error:
        return f"Alerts not acknowledged: {error}"
    return None
