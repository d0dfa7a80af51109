"""A report as sections of text cells (summary lines, tables, recommendations) that every format renders.

Totals rows are sums of the rows shown (tags: the period's total, as a run counts in each of its tags).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from promptlab_tui.core.analytics.figures import Delta, Totals
from promptlab_tui.core.money import format_usd
from promptlab_tui.core.pricing import format_total

if TYPE_CHECKING:
    from promptlab_tui.core.analytics.figures import BreakdownRow
    from promptlab_tui.services.dashboard_report import ReportData

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DIMENSION_NAMES = {"model": "model", "provider": "provider", "prompt": "prompt", "tag": "tag", "source": "source"}


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[str]]
    numeric: set[int] = field(default_factory=set)  # right-aligned columns
    total: list[str] | None = None
    note: str | None = None
    shrink: int = 0  # the column that is cut (with an ellipsis) when the width is short


@dataclass
class Report:
    title: str
    subtitle: str
    summary: list[tuple[str, str]]
    forecast: list[tuple[str, str]]
    tables: list[Table]
    recommendations: list[tuple[str, str]]  # (title, how)
    savings_line: str | None
    empty_hint: str | None


def percent(delta: Delta) -> str:
    if delta.percent is None:
        return "new" if delta.now else "-"
    return f"{delta.percent:+.1f} %"


def _money_change(delta: Delta) -> str:
    sign = "+" if delta.change >= 0 else "-"
    return f"{sign}{format_usd(abs(delta.change))} ({percent(delta)})"


def _count_change(delta: Delta) -> str:
    return f"{delta.change:+,} ({percent(delta)})"


def tokens(value: int, compact: bool) -> str:
    if not compact or value < 10_000:
        return f"{value:,}"
    if value < 10_000_000:
        return f"{value / 1000:,.0f}K"
    return f"{value / 1_000_000:,.1f}M"


def _cost(totals: Totals) -> str:
    """'no price' when no run of the row has one (never $0)."""
    return "no price" if totals.runs and totals.unpriced_runs == totals.runs else format_usd(totals.cost_nanos)


def _breakdown_table(title: str, rows: tuple[BreakdownRow, ...], total: Totals, compact: bool,
                     note: str | None, first: str, sum_rows: bool = True, compared: bool = True) -> Table:
    if compact:
        headers = [first, "runs", "cost", "share", "change"]
        numeric = {1, 2, 3, 4}
    else:
        headers = [first, "runs", "input", "output", "cached", "cost", "no price", "share", "change"]
        numeric = set(range(1, 9))
    if not compared:  # everything recorded: nothing before it, so no change column
        headers.pop()
        numeric.discard(len(headers))
    body = []
    for row in rows:
        t = row.totals
        name = row.label if row.provider is None or compact else f"{row.label} ({row.provider})"
        cells = [name, f"{t.runs:,}"]
        if not compact:
            cells += [tokens(t.total_input_tokens, False), tokens(t.output_tokens, False),
                      tokens(t.cached_input_tokens, False)]
        cells += [_cost(t)]
        if not compact:
            cells += [f"{t.unpriced_runs:,}" if t.unpriced_runs else ""]
        cells += [f"{row.share * 100:.1f} %", percent(row.change)]
        body.append(cells[:len(headers)])
    shown = total
    if sum_rows:  # the total row is the sum of the rows shown
        shown = Totals()
        for row in rows:
            shown = shown + row.totals
    total_cells = ["total", f"{shown.runs:,}"]
    if not compact:
        total_cells += [tokens(shown.total_input_tokens, False), tokens(shown.output_tokens, False),
                        tokens(shown.cached_input_tokens, False)]
    total_cells += [format_usd(shown.cost_nanos)]
    if not compact:
        total_cells += [f"{shown.unpriced_runs:,}" if shown.unpriced_runs else ""]
    total_cells += ["100.0 %" if shown.cost_nanos else "", ""]
    return Table(title, headers, body, numeric, total_cells[:len(headers)], note)


def _what_if_table(what_if, compact: bool) -> Table:
    """The period's runs re-priced on one model: per model actual, on the target, difference."""
    rows = []
    for row in what_if.rows:
        actual = "no price" if row.unpriced_runs == row.runs else format_usd(row.actual_nanos)
        rows.append([row.model, f"{row.runs:,}", actual, format_usd(row.on_target_nanos),
                     format_usd(row.difference_nanos) if row.unpriced_runs < row.runs else ""])
    change = "" if what_if.change_percent is None else f" ({what_if.change_percent:+.0f} %)"
    total = ["total", f"{what_if.runs:,}", format_usd(what_if.actual_nanos),
             format_usd(what_if.on_target_nanos), format_usd(what_if.difference_nanos) + change]
    note = (f"{what_if.method} ({what_if.price_version}); runs without a price have no actual cost: their tokens "
            "count on the target, not in the difference" + (f"; {what_if.note}" if what_if.note else ""))
    title = f"What if every run had used {what_if.target_model}" + (
        "" if what_if.by == "model" else f", by {what_if.by}")
    return Table(title, [what_if.by, "runs", "actual", f"on {what_if.target_model}", "difference"], rows,
                 {1, 2, 3, 4}, total, note)


def build(data: ReportData, compact: bool) -> Report:
    view = data.view
    cards, forecast = view.cards, view.forecast
    compared = f"compared with {view.comparison.label}" if view.compared else "no earlier period to compare"
    subtitle = f"{view.timezone_text or 'time zone ' + view.timezone}; {compared}"

    def money_change(delta: Delta) -> str:
        return f"   {_money_change(delta)}" if view.compared else ""

    def count_change(delta: Delta) -> str:
        return f"   {_count_change(delta)}" if view.compared else ""

    if data.filter_text():
        subtitle += f"; only runs with {data.filter_text()}"
    spent = format_total(cards.spent.now, cards.unpriced_runs.now)
    summary = [("Spent", f"{spent}{money_change(cards.spent)}")]
    if cards.budget_nanos:
        summary.append(("Budget", f"{format_usd(cards.budget_nanos)} {view.budget_kind}: "
                                  f"{cards.budget_percent:.1f} % used"))
    summary += [
        ("Runs", f"{cards.runs.now:,}{count_change(cards.runs)}"),
        ("Input tokens", f"{cards.input_tokens.now:,}{count_change(cards.input_tokens)}"),
        ("Output tokens", f"{cards.output_tokens.now:,}{count_change(cards.output_tokens)}"),
        ("Cached tokens", f"{cards.cached_tokens.now:,}{count_change(cards.cached_tokens)}"),
        ("Average per run", f"{format_usd(cards.avg_cost.now)}{money_change(cards.avg_cost)}"
         if cards.current.priced_runs else "no priced runs"),
    ]
    peak = view.heat_map.peak
    if peak is not None:
        summary.append(("Busiest hour", f"{WEEKDAYS[peak[0]]}s {peak[1]:02d}:00-{peak[1] + 1:02d}:00, "
                                        f"{format_usd(view.heat_map.cost_nanos[peak[0]][peak[1]])}"))
    lines = [("Projected", f"{format_usd(forecast.projected_nanos)} at the period's end (range "
                           f"{format_usd(forecast.low_nanos)} to {format_usd(forecast.high_nanos)})")]
    if forecast.budget_nanos:
        reached = forecast.budget_reached_on
        pace = " at this pace" if forecast.projection else ""  # a finished period has no pace, only what happened
        lines.append(("Budget", f"reached on {reached.isoformat()}{pace}" if reached is not None
                      else f"not reached in the period{pace}"))
    if view.in_progress:  # only the period holding today has a burn rate
        lines.append(("Burn rate", f"{format_usd(forecast.burn_rate_per_hour_nanos)} an hour today"))
    lines.append(("Method", forecast.method))
    name = DIMENSION_NAMES[view.group_by]
    tables = [_breakdown_table(f"By {name}", view.breakdown.rows, view.breakdown.total, compact,
                               view.breakdown.note, name, sum_rows=view.group_by != "tag", compared=view.compared)]
    if view.group_by == "tag":  # a run counts in each of its tags: the period's own total
        tables[0].total = _breakdown_table("", (), view.breakdown.total, compact, None, name, False,
                                          view.compared).total
    if view.group_by != "prompt" and view.top_prompts:
        top = _breakdown_table("Top prompts by cost", view.top_prompts, Totals(), compact, None, "prompt",
                               compared=view.compared)
        top.total = None
        tables.append(top)
    if data.series:
        series_rows = [[p.label, f"{p.totals.runs:,}", tokens(p.totals.total_input_tokens, compact),
                        tokens(p.totals.output_tokens, compact), format_total(p.totals.cost_nanos, p.totals.unpriced_runs)
                        if not compact else format_usd(p.totals.cost_nanos)] for p in data.series]
        runs = sum(p.totals.runs for p in data.series)
        cost = sum(p.totals.cost_nanos for p in data.series)
        tables.append(Table(f"By {data.series_step}", [data.series_step or "day", "runs", "input", "output", "cost"],
                            series_rows, {1, 2, 3, 4}, ["total", f"{runs:,}", tokens(sum(
                                p.totals.total_input_tokens for p in data.series), compact), tokens(sum(
                                    p.totals.output_tokens for p in data.series), compact),
                                format_usd(cost) if compact else format_total(cost, sum(
                                    p.totals.unpriced_runs for p in data.series))]))
    if data.what_if is not None:
        tables.append(_what_if_table(data.what_if, compact))
    recs = data.recommendations
    rec_lines = [(rec.title, rec.how) for rec in recs.items[:10]] if recs is not None else []
    savings = None
    if recs is not None and recs.items:
        savings = (f"Potential savings: {format_usd(recs.potential_monthly_savings_nanos)} a month at this pace "
                   f"(from {recs.days} day(s) of runs, all runs of the period)")
    from promptlab_tui.services.dashboard_report import EMPTY_HINT

    return Report(data.title, subtitle, summary, lines, tables, rec_lines, savings,
                  None if data.has_history else EMPTY_HINT)
