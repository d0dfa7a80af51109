"""The dashboard's what-if, estimate accuracy, prompt efficiency and savings panes as Rich renderables (no Textual).

Money is integer nano-dollars printed by core.money's one rule; percentages are display only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from promptlab_tui.core.analytics.recommend import CONTEXT_LIMIT
from promptlab_tui.core.money import format_usd

if TYPE_CHECKING:
    from promptlab_tui.core.analytics.repricing import WhatIf
    from promptlab_tui.services.dashboard_panes import DashboardPanes


def _table(*columns: str) -> Table:
    table = Table(box=None, padding=(0, 1), header_style="bold", show_edge=False, expand=True)
    table.add_column(columns[0], ratio=1, no_wrap=True, overflow="ellipsis", min_width=10)  # names give way
    for name in columns[1:]:
        table.add_column(name, justify="right", no_wrap=True)  # amounts are never cut
    return table


def _percent(part: int, whole: int) -> str:
    return "" if not whole else f"{part * 100 / whole:+.0f} %"


def what_if_renderable(what: WhatIf | None, title: str, by: str = "model", asked: str | None = None) -> Any:
    if what is None:
        return Text(f"What if · {title}\n", style="bold") + Text(
            "w picks a model: this period's runs re-priced on it, in total and per model.", style="dim")
    heading = Text(f"What if · {title} re-priced on {what.target_model} ({what.target_provider})\n", style="bold")
    table = _table("runs now on" if by == "model" else by, "runs", "actual", "re-priced", "diff.", "change")
    for row in what.rows:
        label = f"{row.model} ({row.provider})" if row.provider else row.model
        if row.unpriced_runs >= row.runs:  # nothing to compare with: never shown as $0
            table.add_row(label, f"{row.runs:,}", "no price",
                          format_usd(row.on_target_nanos), "—", "")
            continue
        actual = format_usd(row.actual_nanos) + (f" + {row.unpriced_runs:,} unpriced" if row.unpriced_runs else "")
        table.add_row(label, f"{row.runs:,}", actual, format_usd(row.on_target_nanos),
                      _signed(row.difference_nanos), _percent(row.difference_nanos, row.actual_nanos))
    total = what.difference_nanos
    table.add_row("Total", f"{what.runs:,}", format_usd(what.actual_nanos),
                  format_usd(what.on_target_nanos), _signed(total), _percent(total, what.actual_nanos), style="bold")
    notes = [f"Priced at {what.price_version}; method: {what.method}."]
    if what.note and what.rows:
        notes.append(f"By {what.by}: {what.note}.")
    if asked and asked != by:
        notes.append(f"Shown by {by}: re-pricing by {asked} would need each run's model.")
    if what.unpriced_runs:
        notes.append(f"{_runs(what.unpriced_runs)} without a price count in re-priced only, not in the difference.")
    if not what.rows:
        notes.insert(0, "No runs in this period to re-price.")
    return Group(heading, table, Text("\n".join(notes), style="dim"))


def _runs(count: int) -> str:
    return f"{count:,} run{'s' if count != 1 else ''}"


def _signed(nanos: int) -> str:
    return ("+" if nanos > 0 else "-" if nanos < 0 else "") + format_usd(abs(nanos))


def accuracy_renderable(panes: DashboardPanes | None) -> Any:
    heading = Text("Estimate accuracy by model (how far to trust the preview)\n", style="bold")
    if panes is None:
        return heading + Text("Loading…", style="dim")
    if not panes.accuracy:
        return heading + Text("No completed run with an estimate in this period.", style="dim")
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(no_wrap=True, overflow="ellipsis", max_width=28)
    grid.add_column(ratio=1)
    for a in panes.accuracy:
        bias = "high" if a.cost_bias_nanos > 0 else "low" if a.cost_bias_nanos < 0 else "even"
        p50 = f" ({a.cost_error_p50_percent:.0f} %)" if a.cost_error_p50_percent is not None else ""
        p90 = f" ({a.cost_error_p90_percent:.0f} %)" if a.cost_error_p90_percent is not None else ""
        cost = (f"cost error p50 {format_usd(a.cost_error_p50_nanos)}{p50} / p90 {format_usd(a.cost_error_p90_nanos)}"
                f"{p90}" + (f" · previews ran {bias} by {format_usd(abs(a.cost_bias_nanos))} in total"
                            if bias != "even" else ""))
        if a.cost_error_p50_percent is None and not a.cost_error_p90_nanos:
            cost = "cost error: not known (no price, or no estimate of the cost)"
        grid.add_row(Text(a.model, style="bold"), Text.assemble(
            f"{_runs(a.runs)} · input exact {a.input_exact:,} of {a.runs:,} ({a.input_exact_share * 100:.0f} %)\n",
            f"output error p50 {a.output_error_p50:,} / p90 {a.output_error_p90:,} tokens\n",
            cost))
    return Group(heading, grid, Text("Errors are |estimate − actual| per run; input exact: the preview's input "
                                     "count was the billed one.", style="dim"))


def efficiency_renderable(panes: DashboardPanes | None) -> Any:
    heading = Text("Prompt efficiency (lowest first; each part scores up to 25, scaled to 100)\n", style="bold")
    if panes is None:
        return heading + Text("Loading…", style="dim")
    if not panes.efficiency:
        return heading + Text("No named prompt with priced runs in this period.", style="dim")
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(no_wrap=True, justify="right")
    grid.add_column(ratio=1)
    for item in panes.efficiency:
        why = Text(f"{item.prompt} · {format_usd(item.cost_per_run_nanos)} per run", style="bold")
        for part in item.parts:
            why.append(f"\n{part.name} {part.points:.0f}/25: ", style="dim")
            why.append(part.explanation)
        if not item.parts:
            why.append("\nnothing to compare with yet (one prompt, no earlier runs)", style="dim")
        grid.add_row(Text(f"{item.score}/100", style="bold"), why)
    return Group(heading, grid)


def savings_renderable(panes: DashboardPanes | None, recommendations: Any, applicable: bool = False) -> Any:
    text = Text("Savings\n", style="bold")
    if recommendations is not None:
        count = len(recommendations.items) + recommendations.more
        text.append(f"Potential: {format_usd(recommendations.potential_monthly_savings_nanos)} a month "
                    f"from {count:,} recommendation{'s' if count != 1 else ''}"
                    + (" (a applies the first that names a saved prompt)\n" if applicable else "\n"))
    if panes is None:
        return text + Text("Loading…", style="dim")
    cache = panes.cache
    text.append(f"Response cache: {cache.hits:,} hit{'s' if cache.hits != 1 else ''} this period saved "
                f"{format_usd(cache.saved_nanos)}\n")
    text.append("Achieved by applied recommendations:", style="bold")
    if not panes.achieved:
        text.append(" none applied yet\n", style="dim")
    else:
        text.append("\n")
    for done in panes.achieved:
        change = done.applied.change
        when = f"{done.applied.applied_at:%Y-%m-%d}"
        text.append(f"• {change.prompt}: {change.field} {change.old} → {change.new} on {when}: ")
        if done.after_nanos is None:
            text.append(f"{format_usd(done.before_nanos)} per run before; no priced run since yet\n", style="dim")
        else:
            saving = done.saving_per_run_nanos or 0
            text.append(f"{format_usd(done.before_nanos)} → {format_usd(done.after_nanos)} per run "
                        f"({_signed(-saving)} a run over {_runs(done.runs_after)} since)\n")
    text.append(f"Excessive context (over {CONTEXT_LIMIT:,} input tokens a run, short answers):", style="bold")
    if not panes.excessive:
        text.append(" none\n", style="dim")
    else:
        text.append("\n")
    for item in panes.excessive:
        text.append(f"⚑ {item.prompt} on {item.model}: {item.input_per_run:,} tokens in for {item.output_per_run:,} "
                    f"out per run ({_runs(item.runs)})\n", style="bold" if item.input_per_run > 16_000 else "")
    return text
