"""What the ledger is told about a run before it is sent (the pending row), cheaply: this is on every run.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from promptlab_tui.core.history import PendingRun, current_user, prompt_fingerprint
from promptlab_tui.core.types import PromptSpec, Usage
from promptlab_tui.services.run_types import RunPlan


def canonical_model(plan: RunPlan) -> str:
    """The price table's name (claude-haiku-4.5), not the API id sent (claude-haiku-4-5): history and the
    preview look runs up by the name the picker shows."""
    return plan.price.model if plan.price is not None else plan.prompt.model


def prompt_text_of(prompt: PromptSpec) -> str:
    """The prompt as recorded in the history: the messages in OpenAI's JSON form."""
    return json.dumps([m.as_openai() for m in prompt.messages], ensure_ascii=False)


def pending_run(plan: RunPlan, session_id: str | None) -> PendingRun:
    estimate = plan.estimate
    text = prompt_text_of(plan.prompt)
    return PendingRun(
        provider=plan.provider, model=canonical_model(plan), max_tokens=plan.max_tokens,
        estimate_input_tokens=_uncalibrated_input_tokens(plan),
        estimate_output_tokens=min(_expected_output_tokens(estimate, plan.max_tokens), plan.max_tokens),
        expected_cost_nanos=getattr(estimate, "expected_nanos", None), worst_cost_nanos=plan.worst_case_nanos,
        price_version=_price_version(plan), prompt_name=plan.prompt.name, prompt_id=prompt_fingerprint(text),
        tags=tuple(plan.prompt.tags), prompt_text=text, session_id=session_id, run_id=plan.run_id, user=_user(),
        estimate_kind=_estimate_kind(plan), source=plan.options.source if plan.options is not None else None)


_PRICE_VERSIONS: dict[tuple[str, str], str] = {}  # (price version, tier) -> the stored version; a few entries


def _price_version(plan: RunPlan) -> str | None:
    """The price version as the ledger stores it (with '#tier' for batch/flex/priority)."""
    if plan.price is None:
        return None
    key = (plan.price.version, plan.tier)
    if key not in _PRICE_VERSIONS:
        from promptlab_tui.core.pricing import cost_of_usage

        _PRICE_VERSIONS[key] = cost_of_usage(plan.price, Usage(), plan.tier).price_version
    return _PRICE_VERSIONS[key]


@functools.lru_cache(maxsize=1)
def _user() -> str:
    return current_user()  # a password-database lookup when $USER is unset: once per process


def _expected_output_tokens(estimate: Any, max_tokens: int) -> int:
    value = getattr(estimate, "expected_output_tokens", None)
    return max_tokens if value is None else int(value)


def _uncalibrated_input_tokens(plan: RunPlan) -> int:
    """The calibration ratio is learned as actual / uncalibrated approximation, so that is what a run stores."""
    count = plan.input_tokens
    if count.uncalibrated_tokens is not None:
        return count.uncalibrated_tokens  # carried by the count: no second count on the way to the provider
    if count.method != "approx:calibrated":
        return count.tokens
    # A calibrated count made elsewhere, without its uncalibrated figure: count it here.
    from promptlab_tui.core.request_tokens import count_prompt

    return count_prompt(plan.prompt).tokens


def _estimate_kind(plan: RunPlan) -> str | None:
    """The calibration kind of the run's input estimate (None: plain text, as every older run)."""
    kind = getattr(plan.input_tokens, "kind", None)
    return None if kind in (None, "text") else kind
