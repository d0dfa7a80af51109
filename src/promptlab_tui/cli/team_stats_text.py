"""The text of `promptlab team stats`: totals, then members, models, groups, days and top prompts, in 80 columns."""

from __future__ import annotations

from typing import Any

from promptlab_tui.core.money import format_usd, money_places

NAME = 16  # the widest name shown whole; longer ones end with an ellipsis so the row stays within 80 columns
SECTIONS = (("members", "members"), ("models", "models"), ("groups", "groups"), ("per day", "days"),
            ("top prompts", "prompts"))
STATUS = {"none": "-"}  # the other statuses (ok, warning, over) read as they are


def _name(key: str | None) -> str:
    text = key or "(no name)"
    return text if len(text) <= NAME else text[:NAME - 1] + "…"


def _totals(totals: dict[str, Any]) -> str:
    unpriced = f" ({totals['unpriced_runs']} without a price)" if totals.get("unpriced_runs") else ""
    return (f"total: {totals['runs']:,} runs, {totals['input_tokens']:,} tokens in, "
            f"{totals['output_tokens']:,} out, {format_usd(totals['cost_nanos'])}{unpriced}")


def _section(title: str, rows: list[dict[str, Any]], with_budget: bool) -> list[str]:
    places = max(money_places(row["cost_nanos"]) for row in rows)  # one column, one number of decimals
    header = f"{title:<{NAME + 2}} {'runs':>6}{'tokens in':>11}{'tokens out':>12}{'cost':>11}"
    if with_budget:
        header += f"{'budget':>11}  status"
        budget_places = max(money_places(row.get("budget_limit_nanos") or 0) for row in rows)
    lines = [header]
    for row in rows:
        line = (f"  {_name(row['key']):<{NAME}} {row['runs']:>6,}{row['input_tokens']:>11,}"
                f"{row['output_tokens']:>12,}{format_usd(row['cost_nanos'], places):>11}")
        if with_budget:
            limit = row.get("budget_limit_nanos")
            line += (f"{format_usd(limit, budget_places) if limit is not None else '-':>11}"
                     f"  {STATUS.get(row.get('budget_status', 'none'), row.get('budget_status'))}")
        lines.append(line)
    return lines


def stats_lines(data: dict[str, Any]) -> list[str]:
    lines = [f"{data['start'][:19]} .. {data['end'][:19]} ({data['timezone']})", _totals(data["totals"])]
    for title, key in SECTIONS:
        if data.get(key):
            lines.append("")
            lines += _section(title, data[key], with_budget=key == "members")
    return lines
