"""Calibration learns from settled runs safely: median of ratios, bounded, visible, reservations at its upper bound."""

from __future__ import annotations

import pytest

from promptlab_tui.core.calibration import CalibrationFactor, learn_calibration, reservation_input_tokens
from promptlab_tui.core.tokens import approximate_count


def test_the_median_of_ratios_shrugs_off_outliers():
    # 20 runs near x1.04 and three wild ones (a 27x, a 94x and a near-zero): the factor stays near 1.04.
    pairs = [(1000, 1040 + (i % 5) - 2) for i in range(20)] + [(1000, 27_000), (1000, 94_000), (1000, 10)]
    learned = learn_calibration(pairs)
    assert float(learned) == pytest.approx(1.04, abs=0.002)
    assert learned.runs == 23 and learned.label() == "≈ +4 % from 23 runs"


def test_prompts_too_short_to_say_anything_are_left_out():
    # A 13-token prompt billed at 542 (x42) is what made estimates explode: it no longer counts.
    assert learn_calibration([(13, 542)]) is None
    assert float(learn_calibration([(13, 542), (400, 440)])) == pytest.approx(1.1)


def test_a_factor_beyond_the_bound_is_ignored_and_says_so():
    learned = learn_calibration([(100, 2700)] * 5)  # x27 every time
    assert learned.ignored and "x27.00 from 5 runs ignored" in learned.label()
    count = approximate_count(100, "claude-haiku-4-5", learned, None)
    assert count.tokens == 100 and count.method == "approx:heuristic"
    assert "ignored" in count.note


def test_the_reservation_uses_the_upper_bound_of_the_ratios():
    pairs = [(1000, 1000)] * 8 + [(1000, 1300), (1000, 1500)]  # median 1.0, 90th percentile 1.3
    learned = learn_calibration(pairs)
    assert float(learned) == 1.0 and learned.upper == pytest.approx(1.3)
    count = approximate_count(500, "claude-haiku-4-5", learned, None)
    assert count.tokens == 500 and count.upper_tokens == 650
    assert reservation_input_tokens(count) == 650
    assert "≈ +0 % from 10 runs" in count.note


def test_the_upper_bound_is_bounded_too():
    learned = learn_calibration([(1000, 1000)] * 5 + [(1000, 2900)] * 5)
    assert learned.upper <= 3.0
    assert isinstance(learned, CalibrationFactor)


def test_before_any_run_an_approximate_count_reserves_twenty_percent_more():
    count = approximate_count(500, "claude-haiku-4-5", None, None)
    assert reservation_input_tokens(count) == 600
