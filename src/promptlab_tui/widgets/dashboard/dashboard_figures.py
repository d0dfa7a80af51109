"""What the dashboard shows, as plain data built from the analytics views (no Textual here).

Money stays integer nano-dollars and is printed with core.money's one rule; chart coordinates are the
only floats (dollars for the plot's scale, never added up or shown as amounts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from promptlab_tui.core.money import format_usd
from promptlab_tui.core.pricing_cost import format_total

if TYPE_CHECKING:
    from promptlab_tui.core.analytics.figures import Delta
    from promptlab_tui.services.dashboard import DashboardView

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
SHADES = " ░▒▓█"


@dataclass(frozen=True)
class ChartSpec:
    """One chart: x labels, named series (plot coordinates), an optional horizontal line, and its table."""

    key: str
    title: str
    kind: str  # bars | lines | heat | hbars (one labelled bar a row: names stay readable)
    labels: tuple[str, ...] = ()
    series: tuple[tuple[str, tuple[float, ...], str], ...] = ()  # (name, values, colour role)
    hline: tuple[str, float] | None = None  # (name, y): the budget
    matrix: tuple[tuple[int, ...], ...] = ()  # heat: rows x columns of nanos
    table_header: tuple[str, ...] = ()
    table_rows: tuple[tuple[str, ...], ...] = field(default_factory=tuple)
    value_texts: tuple[str, ...] = ()  # hbars: each bar's amount, by the money rule
    y_unit: str = ""  # usd | tokens: the y axis labelled in it (dollars by the money rule, whole tokens)


def _dollars(nanos: int | None) -> float:
    return (nanos or 0) / 1e9  # plot scale only


def delta_text(delta: Delta, money: bool) -> str:
    """'+$1.20 (+12 %)' / '-340 (-3 %)' / 'new' when there was nothing before."""
    change = delta.change
    if change == 0:
        return "no change"
    sign = "+" if change > 0 else "-"
    amount = format_usd(abs(change)) if money else f"{abs(change):,}"
    percent = delta.percent
    return f"{sign}{amount} ({sign}{abs(percent):.0f} %)" if percent is not None else f"{sign}{amount} (new)"


def cards(view: DashboardView) -> list[tuple[str, str, str]]:
    """(title, value, change against the comparison period) for each summary card."""
    c = view.cards
    delta_text = _change_text(view)
    spent = format_total(c.spent.now, c.unpriced_runs.now)
    if c.budget_nanos:
        spent += f" of {format_usd(c.budget_nanos)} ({c.spent.now * 100 // c.budget_nanos} %)"
    return [
        ("Spent", spent, delta_text(c.spent, True)),
        ("Runs", f"{c.runs.now:,}", delta_text(c.runs, False)),
        ("Input tokens", f"{c.input_tokens.now:,}", delta_text(c.input_tokens, False)),
        ("Output tokens", f"{c.output_tokens.now:,}", delta_text(c.output_tokens, False)),
        ("Cached tokens", f"{c.cached_tokens.now:,}", delta_text(c.cached_tokens, False)),
        ("Avg cost / run", format_usd(c.avg_cost.now), delta_text(c.avg_cost, True)),
    ]


def _change_text(view: DashboardView):
    """delta_text, or nothing at all for everything recorded (there is no earlier period to compare with)."""
    return delta_text if view.compared else (lambda _delta, _money: "")


def head_text(view: DashboardView) -> str:
    """The dashboard's title line, and what to do when there is nothing to show."""
    status = f"Dashboard · {view.period.title} · by {view.group_by} · {view.comparison_label}"
    if not view.has_history:
        status += "\nNothing recorded yet: run a prompt in the Lab (ctrl+r) or with `promptlab run`."
    elif view.empty:
        status += "\nNo runs in this period: [ and ] step to other periods, p picks another."
    if view.totals_zone is not None:
        status += (f"\nDaily totals are kept in {view.totals_zone}, periods here in {view.timezone}: figures are "
                   f"read from each run (slower). `promptlab budget set --timezone {view.timezone}` recounts them.")
    return status


def cards_table(view: DashboardView, per_row: int) -> Any:
    """The summary cards, `per_row` a row (3 at 80 columns, 6 when wide)."""
    from rich.table import Table
    from rich.text import Text

    table = Table.grid(expand=True, padding=(0, 2))
    items = cards(view)
    for _ in range(per_row):
        table.add_column(ratio=1, overflow="ellipsis")
    for start in range(0, len(items), per_row):
        table.add_row(*(Text(f"{title}\n", style="dim") + Text(value, style="bold") + Text(f"\n{change}", style="dim")
                        for title, value, change in items[start:start + per_row]))
    return table


def fit_label(label: str, width: int) -> str:
    """A chart label cut to `width` characters says so with an ellipsis."""
    return label if len(label) <= width else label[:width - 1] + "…"


def _short_day(label: str) -> str:
    return label[5:] if len(label) == 10 else label  # '2026-12-01' -> '12-01'


def charts(view: DashboardView) -> list[ChartSpec]:
    daily = view.daily
    labels = tuple(_short_day(p.label) for p in daily)
    projection = dict(view.forecast.projection)
    forecast_values = tuple(_dollars(projection.get(p.first)) for p in daily)
    budget = view.forecast.budget_nanos
    budget_day = budget // max(view.period.days, 1) if budget else None  # the bars are days: the budget's daily share
    daily_rows = tuple((p.label, format_total(p.totals.cost_nanos, p.totals.unpriced_runs),
                        format_usd(projection[p.first]) if p.first in projection else "",
                        f"{p.totals.runs:,}") for p in daily)
    cost = ChartSpec(
        "daily", "Daily cost" + (f" (budget {format_usd(budget)}: {format_usd(budget_day)} a day)" if budget_day
                                 else ""), "bars", labels,
        (("cost", tuple(_dollars(p.totals.cost_nanos) for p in daily), "primary"),
         ("forecast", forecast_values, "accent")),
        ("budget a day", _dollars(budget_day)) if budget_day else None,
        table_header=("day", "cost", "forecast", "runs"), table_rows=daily_rows, y_unit="usd")
    rows = view.breakdown.rows[:8]
    group = ChartSpec(
        "group", f"Cost by {view.group_by}" + (f" (top {len(rows)} of {len(view.breakdown.rows)})"
                                               if len(view.breakdown.rows) > len(rows) else ""),
        "hbars", tuple(r.key or "(none)" for r in rows),
        (("cost", tuple(_dollars(r.totals.cost_nanos) for r in rows), "secondary"),),
        value_texts=tuple(format_total(r.totals.cost_nanos, r.totals.unpriced_runs) for r in rows),
        table_header=(view.group_by, "cost", "share"),
        table_rows=tuple((r.key or "(none)", format_total(r.totals.cost_nanos, r.totals.unpriced_runs),
                          f"{r.share * 100:.1f} %") for r in view.breakdown.rows))
    tokens = ChartSpec(
        "tokens", "Input vs output tokens", "lines", labels,
        (("input", tuple(float(p.totals.input_tokens + p.totals.cached_input_tokens + p.totals.cache_write_tokens)
                         for p in daily), "primary"),
         ("output", tuple(float(p.totals.output_tokens) for p in daily), "warning")),
        table_header=("day", "input", "output"),
        table_rows=tuple((p.label, f"{p.totals.input_tokens + p.totals.cached_input_tokens + p.totals.cache_write_tokens:,}",
                          f"{p.totals.output_tokens:,}") for p in daily), y_unit="tokens")
    matrix = view.heat_map.cost_nanos
    heat = ChartSpec(
        "heat", "Spend by weekday and hour", "heat", matrix=tuple(tuple(row) for row in matrix),
        table_header=("day", *(f"{h:02d}-{h + 2:02d}h" for h in range(0, 24, 3))),
        table_rows=tuple((WEEKDAYS[d], *(format_usd(sum(matrix[d][h:h + 3])) for h in range(0, 24, 3)))
                         for d in range(len(matrix))))
    return [cost, group, tokens, heat]


BAR_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar_lines(labels: tuple[str, ...], values: tuple[float, ...], amounts: tuple[str, ...],
              width: int) -> list[tuple[str, str, str]]:
    """(label, bar, amount) a row, the label cut with "…" to fit (terminal cells, so CJK names line up), bars in
    eighths of a cell scaled to the largest value and padded, so the amounts form a column at the right."""
    from rich.cells import cell_len, set_cell_size

    label_width = min(max((cell_len(label) for label in labels), default=0), max(8, width // 4))
    amount_width = max((len(amount) for amount in amounts), default=0)
    room = max(1, width - label_width - amount_width - 3)
    peak = max(values, default=0) or 1
    out = []
    for label, value, amount in zip(labels, values, amounts):
        eighths = round(value / peak * room * 8) if value > 0 else 0
        bar = "█" * (eighths // 8) + (BAR_EIGHTHS[eighths % 8] if eighths % 8 else "")
        cut = label if cell_len(label) <= label_width else _cut_cells(label, label_width - 1) + "…"
        bar = bar or ("▏" if value > 0 else "")
        out.append((set_cell_size(cut, label_width), bar.ljust(room), amount.rjust(amount_width)))
    return out


def y_ticks(spec: ChartSpec, count: int = 5) -> tuple[list[float], list[str]]:
    """Evenly spaced ticks from 0 to the chart's top, labelled in its unit ([] when nothing is above 0)."""
    values = [v for _, series, _ in spec.series for v in series] + ([spec.hline[1]] if spec.hline else [])
    top = max(values, default=0.0)
    if top <= 0 or not spec.y_unit:
        return [], []
    ticks = [top * i / (count - 1) for i in range(count)]
    if spec.y_unit == "tokens":
        return ticks, [f"{round(t):,}" for t in ticks]
    nanos = [round(t * 1e9) for t in ticks]
    return ticks, [format_usd(n, beside=nanos[-1]) for n in nanos]  # the top's decimals for all: one column


def _cut_cells(text: str, cells: int) -> str:
    """The longest start of `text` that fits `cells` terminal cells (a wide character is never split)."""
    from rich.cells import cell_len

    while cell_len(text) > cells:
        text = text[:-1]
    return text


def heat_lines(matrix: tuple[tuple[int, ...], ...], width: int) -> list[tuple[str, list[tuple[str, int]]]]:
    """(weekday, [(cell text, level 0-4)]) with cells as wide as fit (24 hours across `width` - 4 columns)."""
    peak = max((value for row in matrix for value in row), default=0)
    cell = max(1, min(3, (width - 5) // 24))
    out = []
    for day, row in enumerate(matrix):
        cells = []
        for value in row:
            level = 0 if peak == 0 or value == 0 else max(1, min(4, (value * 4 + peak - 1) // peak))
            cells.append((SHADES[level] * cell if level else "·" + " " * (cell - 1), level))
        out.append((WEEKDAYS[day], cells))
    return out


BREAKDOWN_COLUMNS = ("group", "runs", "input", "output", "cost", "share", "change")


def breakdown_columns(view: DashboardView) -> tuple[str, ...]:
    """With a budget on the period, each group's cost as a part of the limit too (the alert's question)."""
    return BREAKDOWN_COLUMNS + (("of limit",) if view.cards.budget_nanos else ())


def breakdown_title(view: DashboardView) -> str:
    note = f" ({view.breakdown.note})" if view.breakdown.note else ""
    limit = f" · limit {format_usd(view.cards.budget_nanos)}" if view.cards.budget_nanos else ""
    return f"Breakdown by {view.group_by}{note}{limit}"


def breakdown_rows(view: DashboardView) -> list[tuple[str, ...]]:
    delta_text = _change_text(view)
    limit = view.cards.budget_nanos
    rows = []
    for r in view.breakdown.rows:
        t = r.totals
        row = (r.key or "(none)", f"{t.runs:,}", f"{t.input_tokens + t.cached_input_tokens:,}",
               f"{t.output_tokens:,}", format_total(t.cost_nanos, t.unpriced_runs), f"{r.share * 100:.1f} %",
               delta_text(r.change, True))
        rows.append(row + ((f"{t.cost_nanos * 100 / limit:.1f} %",) if limit else ()))
    return rows


def top_prompt_rows(view: DashboardView) -> list[tuple[str, ...]]:
    delta_text = _change_text(view)
    return [(r.key or "(no name)", f"{r.totals.runs:,}", format_total(r.totals.cost_nanos, r.totals.unpriced_runs),
             delta_text(r.change, True)) for r in view.top_prompts]


def activity_row(run: Any, tz: Any) -> tuple[str, ...]:
    when = run.created_at.astimezone(tz)
    return (f"{when:%m-%d %H:%M}", run.model, run.prompt_name or "-", run.status,
            f"{run.total_input_tokens:,}", f"{run.output_tokens:,}", format_usd(run.cost_nanos))


def forecast_text(view: DashboardView) -> str:
    f = view.forecast
    lines = [f"Projected at the period's end: {format_usd(f.projected_nanos)} "
             f"(range {format_usd(f.low_nanos)} – {format_usd(f.high_nanos)})",
             f"Spent so far: {format_usd(f.spent_nanos)}" + (  # only the period holding today has a burn rate
                 f" · burn rate today: {format_usd(f.burn_rate_per_hour_nanos)}/h" if view.in_progress else ""),
             f"Method: {f.method}"]
    if f.budget_nanos:
        reached = f.budget_reached_on.isoformat() if f.budget_reached_on else "not in this period"
        pace = " at this pace" if f.projection else ""  # a finished period: what happened, not a pace
        lines.append(f"Budget {format_usd(f.budget_nanos)}: reached {reached}{pace}"
                     + (" — over budget" if f.over_budget else ""))
    return "\n".join(lines)
