"""`promptlab estimate a.md b.md … | DIR`: each file and the total (expected, p90 where history allows, worst
case), and the total at batch-tier prices where the provider has them. Totals are sums of the rows' integers."""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from typing import Any

from promptlab_tui.core.money import format_usd, usd_string


@dataclass(frozen=True)
class BatchRow:
    file: str
    estimate: Any  # RunEstimate at the asked tier
    batch: Any  # RunEstimate at the batch tier, or None when the model has no batch price
    from_history: bool

    @property
    def batch_or_standard(self) -> Any:
        return self.batch if self.batch is not None else self.estimate


def batch_rows(args: argparse.Namespace, files: list[str], load_inputs: Any, history_for: Any) -> list[BatchRow]:
    """Each file's estimate; `load_inputs` and `history_for` are cmd_estimate's (one way of reading a file)."""
    from promptlab_tui.core.estimate import estimate_run_cost

    rows = []
    for path in files:
        args.file = path
        prompt, pricing = load_inputs(args)
        stats, calibration, *_durations = history_for(prompt, pricing, args.provider)
        estimate = estimate_run_cost(prompt, pricing, output_stats=stats, calibration=calibration,
                                     provider=args.provider, tier=args.tier)
        price = pricing.resolve(prompt.model, args.provider)
        batch = None
        if price is not None and price.has_tier("batch") and args.tier == "standard":
            batch = estimate_run_cost(prompt, pricing, output_stats=stats, provider=args.provider, tier="batch",
                                      input_count=estimate.input)
        elif args.tier == "batch":
            batch = estimate
        rows.append(BatchRow(path, estimate, batch, stats is not None and getattr(stats, "count", 0) > 0))
    return rows


def totals(rows: list[BatchRow]) -> dict[str, Any]:
    priced = [row for row in rows if row.estimate.priced]
    with_history = all(row.from_history for row in priced) and bool(priced)
    return {
        "files": len(rows), "unpriced_files": len(rows) - len(priced),
        "expected_nanos": sum(row.estimate.expected_cost_nanos for row in priced),
        "p90_nanos": sum(row.estimate.p90_cost_nanos for row in priced) if with_history else None,
        "worst_case_nanos": sum(row.estimate.worst_cost_nanos for row in priced),
        "batch_expected_nanos": sum(row.batch_or_standard.expected_cost_nanos for row in priced),
        "batch_worst_case_nanos": sum(row.batch_or_standard.worst_cost_nanos for row in priced),
        "batch_priced_files": sum(1 for row in priced if row.batch is not None),
    }


def batch_command(args: argparse.Namespace, files: list[str], load_inputs: Any, history_for: Any) -> int:
    rows = batch_rows(args, files, load_inputs, history_for)
    total = totals(rows)
    if args.json:
        print(json.dumps({"tier": args.tier, "files": [_row_json(row) for row in rows],
                          "total": {key.replace("_nanos", "_usd"): (usd_string(value) if key.endswith("_nanos") else value)
                                    for key, value in total.items()}}, indent=2, ensure_ascii=False))
        return 0
    header = ("file", "model", "input", "expected", "p90", "worst case", "batch tier")
    table = [header] + [(row.file, row.estimate.model, f"{row.estimate.input.tokens:,}" + ("" if row.estimate.input.exact
                                                                                         else "~"),
                         format_usd(row.estimate.expected_cost_nanos),
                         format_usd(row.estimate.p90_cost_nanos) if row.from_history else "-",
                         format_usd(row.estimate.worst_cost_nanos),
                         format_usd(row.batch.expected_cost_nanos) if row.batch is not None else "-")
                        for row in rows]
    p90 = format_usd(total["p90_nanos"]) if total["p90_nanos"] is not None else "-"
    unpriced = f" + {total['unpriced_files']} without a price" if total["unpriced_files"] else ""
    table.append((f"total ({len(rows)} files)", "", "", format_usd(total["expected_nanos"]) + unpriced, p90,
                  format_usd(total["worst_case_nanos"]) + unpriced, format_usd(total["batch_expected_nanos"])))
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    for line in table:
        print("  ".join(cell.rjust(w) if i >= 2 else cell.ljust(w) for i, (cell, w) in enumerate(zip(line, widths)))
              .rstrip())
    note = f"batch tier: {total['batch_priced_files']} of {len(rows) - total['unpriced_files']} priced file(s) " \
           f"have batch prices (the others at their standard price); worst case at batch prices " \
           f"{format_usd(total['batch_worst_case_nanos'])}"
    print(note)
    if any(not row.from_history for row in rows):
        print("p90: only where this prompt or model has history (- otherwise); ~ approximate token count")
    return 0


def _row_json(row: BatchRow) -> dict[str, Any]:
    estimate, batch = row.estimate, row.batch
    return {"file": row.file, "model": estimate.model, "provider": estimate.provider,
            "input_tokens": estimate.input.tokens, "input_exact": estimate.input.exact,
            "expected_usd": usd_string(estimate.expected_cost_nanos),
            "p90_usd": usd_string(estimate.p90_cost_nanos) if row.from_history else None,
            "worst_case_usd": usd_string(estimate.worst_cost_nanos),
            "batch_expected_usd": usd_string(batch.expected_cost_nanos) if batch is not None else None,
            "batch_worst_case_usd": usd_string(batch.worst_cost_nanos) if batch is not None else None}
