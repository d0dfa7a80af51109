"""Calibration from a stream of real runs (through the SDK and the fake provider): robust, visible, and the
reservation takes its upper bound."""

from __future__ import annotations

import math

from promptlab_tui.core import tokens
from promptlab_tui.core.pricing import worst_case_cost
from promptlab_tui.services.runner import RunService
from tests.fakeprovider.behaviours import Behaviour
from tests.services.conftest import prompt

TEXT = "Summarise the following incident report in three bullet points, plainly. " * 20


def test_outlier_runs_do_not_move_the_estimate_and_the_reservation_takes_the_upper_bound(fake_provider_env):
    spec = prompt(TEXT, model="claude-haiku-4-5")
    raw = tokens.count_messages(spec.messages, spec.model).tokens
    billed = [raw * 11 // 10] * 8 + [raw * 14 // 10, raw * 40]  # x1.1 mostly, one x1.4, one x40 outlier
    fake_provider_env.script(*[Behaviour.reply("ok", usage={"input_tokens": n, "output_tokens": 3})
                               for n in billed])
    for _ in billed:
        assert RunService().run(spec).status == "completed"

    plan = RunService().prepare_run(spec)
    count = plan.input_tokens
    assert count.method == "approx:calibrated"
    assert abs(count.tokens - raw * 1.1) <= 2  # the median: the x40 run changed nothing
    assert "from 10 runs" in count.note and "+10 %" in count.note
    assert count.upper_tokens == math.ceil(raw * 1.4)  # the ratios' 90th percentile
    expected = worst_case_cost(plan.price, count.upper_tokens, plan.max_tokens, plan.tier)
    assert plan.worst_case_nanos == expected
