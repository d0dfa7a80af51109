"""`promptlab estimate --check FOLDER`: how far the preview can be trusted, per model.

Each prompt file in FOLDER is estimated again, as the preview would now (tokenizer, calibration, output
history), for every model it has completed runs of with exactly this content; the error against what
the provider reported is summarised per model as p50 / p90 of |estimate - actual| / actual.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from pathlib import Path
from typing import Any

from promptlab_tui.cli.errors import EXIT_BAD_INPUT, CliError

PROMPT_SUFFIXES = (".md", ".markdown", ".json", ".txt")


def _rank(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def _error(estimated: int | None, actual: int | None) -> float | None:
    if estimated is None or actual is None or actual <= 0:
        return None
    return abs(estimated - actual) / actual


def check_folder(folder: Path, repository: Any, pricing: Any) -> tuple[dict[str, dict[str, list[float]]], list[str]]:
    """{model: {"input": [...], "output": [...], "cost": [...]}} of relative errors, and the files skipped."""
    from promptlab_tui.core.estimate import estimate_run_cost
    from promptlab_tui.core.history import prompt_fingerprint
    from promptlab_tui.core.promptfile import PromptFileError, load_prompt_file
    from promptlab_tui.core.request_tokens import count_prompt
    from promptlab_tui.services.pending import prompt_text_of

    errors: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    skipped: list[str] = []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in PROMPT_SUFFIXES):
        try:
            spec = load_prompt_file(path)
        except PromptFileError as error:
            skipped.append(f"{path.name}: {error}")
            continue
        runs = repository.usage_of_prompt(prompt_fingerprint(prompt_text_of(spec)))
        for model in sorted({run[0] for run in runs}):
            spec.model = model
            stats = repository.output_stats(model, spec.name) or repository.output_stats(model)
            kind = count_prompt(spec).kind
            estimate = estimate_run_cost(spec, pricing, output_stats=stats,
                                         calibration=repository.calibration_ratio(model, kind))
            for run_model, billed, output, cost in runs:
                if run_model != model:
                    continue
                for kind, value in (("input", _error(estimate.input_tokens, billed)),
                                    ("output", _error(estimate.expected_output_tokens, output)),
                                    ("cost", _error(estimate.expected_cost_nanos, cost))):
                    if value is not None:
                        errors[model][kind].append(value)
    return errors, skipped


def summary(errors: dict[str, dict[str, list[float]]]) -> list[dict[str, Any]]:
    rows = []
    for model, kinds in sorted(errors.items()):
        row: dict[str, Any] = {"model": model, "runs": len(kinds.get("input", []))}
        for kind in ("input", "output", "cost"):
            values = kinds.get(kind) or []
            row[kind] = {"p50_percent": round(100 * _rank(values, 0.5), 1) if values else None,
                         "p90_percent": round(100 * _rank(values, 0.9), 1) if values else None}
        rows.append(row)
    return rows


def check_command(args: Any) -> int:
    from promptlab_tui.core.pricing import PricingError, load_pricing
    from promptlab_tui.paths import app_paths

    folder = Path(args.file)
    if not folder.is_dir():
        raise CliError(f"{folder}: --check expects a folder of prompt files", EXIT_BAD_INPUT)
    try:
        pricing = load_pricing()
    except PricingError as error:
        raise CliError(f"the price table was refused:\n{error}", EXIT_BAD_INPUT) from error
    database = app_paths().database
    rows: list[dict[str, Any]] = []
    skipped: list[str] = []
    if database.exists():
        from promptlab_tui.store.repository import HistoryRepository

        repository = HistoryRepository(database)
        try:
            errors, skipped = check_folder(folder, repository, pricing)
        finally:
            repository.close()
        rows = summary(errors)
    if args.json:
        print(json.dumps({"folder": str(folder), "models": rows, "skipped": skipped}, indent=2))
        return 0
    if not rows:
        print(f"No completed runs of the prompts in {folder} yet: run them, then check again.")
    else:
        def cell(part: dict[str, Any]) -> str:
            return "-" if part["p50_percent"] is None else f"{part['p50_percent']:g} % / {part['p90_percent']:g} %"

        table = [("model", "runs", "input p50 / p90", "output p50 / p90", "cost p50 / p90")]
        table += [(r["model"], str(r["runs"]), cell(r["input"]), cell(r["output"]), cell(r["cost"])) for r in rows]
        widths = [max(len(row[i]) for row in table) for i in range(5)]
        for row in table:
            print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
        print("Error of the estimate against the provider's reported usage, |estimate - actual| / actual.")
    for line in skipped:
        print(f"skipped {line}")
    return 0
