"""The report as one JSON object: exact nano-dollar integers beside USD strings; nothing is a float but percents."""

from __future__ import annotations

import json
from dataclasses import fields
from typing import TYPE_CHECKING, Any

from promptlab_tui.core.money import usd_string

if TYPE_CHECKING:
    from promptlab_tui.core.analytics.figures import Delta, Totals
    from promptlab_tui.services.dashboard_report import ReportData


def totals_json(totals: Totals) -> dict[str, Any]:
    out: dict[str, Any] = {f.name: getattr(totals, f.name) for f in fields(totals)}
    out["cost_usd"] = usd_string(totals.cost_nanos)
    return out


def delta_json(delta: Delta, money: bool = False, compared: bool = True) -> dict[str, Any]:
    """`compared` False (everything recorded): no earlier period, so before/change/percent are null."""
    if not compared:
        return {"now": delta.now, "before": None, "change": None, "percent": None,
                **({"now_usd": usd_string(delta.now), "before_usd": None, "change_usd": None} if money else {})}
    out: dict[str, Any] = {"now": delta.now, "before": delta.before, "change": delta.change,
                           "percent": None if delta.percent is None else round(delta.percent, 2)}
    if money:
        out.update(now_usd=usd_string(delta.now), before_usd=usd_string(delta.before),
                   change_usd=usd_string(delta.change))
    return out


def report_json(data: ReportData) -> dict[str, Any]:
    view = data.view
    cards, forecast = view.cards, view.forecast

    def change(delta: Delta, money: bool = False) -> dict[str, Any]:
        return delta_json(delta, money, view.compared)

    out: dict[str, Any] = {
        "title": data.title, "generated_at": data.generated_at.isoformat(), "timezone": view.timezone,
        "period": {"kind": view.period.kind, "first": view.period.first.isoformat(),
                   "last": view.period.last.isoformat(), "days": view.period.days},
        "comparison": {"first": view.comparison.first.isoformat(), "last": view.comparison.last.isoformat()}
        if view.compared else None,
        "filters": view.filters.active(), "group_by": view.group_by, "has_history": view.has_history,
        "totals": totals_json(cards.current),
        "cards": {"spent_nanos": change(cards.spent, True), "runs": change(cards.runs),
                  "unpriced_runs": change(cards.unpriced_runs), "input_tokens": change(cards.input_tokens),
                  "output_tokens": change(cards.output_tokens), "cached_tokens": change(cards.cached_tokens),
                  "avg_cost_nanos": change(cards.avg_cost, True)},
        "budget": None if cards.budget_nanos is None else {
            "kind": view.budget_kind, "limit_nanos": cards.budget_nanos, "limit_usd": usd_string(cards.budget_nanos),
            "percent_used": round(cards.budget_percent or 0.0, 2)},
        "breakdown": {"by": view.group_by, "note": view.breakdown.note, "rows": [
            {"key": row.key, "label": row.label, "provider": row.provider, **totals_json(row.totals),
             "share": round(row.share, 6), "change": change(row.change, True)} for row in view.breakdown.rows]},
        "top_prompts": [{"prompt": row.key, **totals_json(row.totals), "share": round(row.share, 6)}
                        for row in view.top_prompts],
        "daily": [{"day": p.label, **totals_json(p.totals)} for p in view.daily],
        "heat_map": {"weekday_hour_cost_nanos": [list(row) for row in view.heat_map.cost_nanos],
                     "peak": view.heat_map.peak},
        "forecast": {"method": forecast.method, "spent_nanos": forecast.spent_nanos,
                     "projected_nanos": forecast.projected_nanos, "projected_usd": usd_string(forecast.projected_nanos),
                     "low_nanos": forecast.low_nanos, "high_nanos": forecast.high_nanos,
                     "budget_reached_on": forecast.budget_reached_on.isoformat() if forecast.budget_reached_on else None,
                     "burn_rate_per_hour_nanos": forecast.burn_rate_per_hour_nanos,
                     "projection": [{"day": d.isoformat(), "cost_nanos": c} for d, c in forecast.projection]},
    }
    if data.series_step:
        out["series"] = {"step": data.series_step,
                         "points": [{"label": p.label, "first": p.first.isoformat(), **totals_json(p.totals)}
                                    for p in data.series]}
    if data.what_if is not None:
        w = data.what_if
        out["what_if"] = {"model": w.target_model, "provider": w.target_provider, "price_version": w.price_version,
                          "method": w.method, "by": w.by, "note": w.note, "runs": w.runs, "actual_nanos": w.actual_nanos, "on_target_nanos": w.on_target_nanos,
                          "difference_nanos": w.difference_nanos, "unpriced_runs": w.unpriced_runs,
                          "rows": [{"provider": r.provider, "model": r.model, w.by: r.model, "runs": r.runs,
                                    "unpriced_runs": r.unpriced_runs, "actual_nanos": r.actual_nanos,
                                    "on_target_nanos": r.on_target_nanos, "difference_nanos": r.difference_nanos}
                                   for r in w.rows]}
    recs = data.recommendations
    out["recommendations"] = None if recs is None else {
        "potential_monthly_savings_nanos": recs.potential_monthly_savings_nanos,
        "potential_monthly_savings_usd": usd_string(recs.potential_monthly_savings_nanos), "days": recs.days,
        "items": [{"kind": r.kind, "title": r.title, "how": r.how, "savings_nanos": r.savings_nanos,
                   "monthly_savings_nanos": r.monthly_savings_nanos, "provider": r.provider, "model": r.model,
                   "prompt": r.prompt, "reserve_freed_nanos": r.reserve_freed_nanos,
                   "change": None if r.change is None else vars(r.change)} for r in recs.items]}
    if not view.has_history:
        from promptlab_tui.services.dashboard_report import EMPTY_HINT

        out["message"] = EMPTY_HINT
    return out


def render_json(data: ReportData) -> str:
    return json.dumps(report_json(data), indent=2, ensure_ascii=False) + "\n"
