"""Expected duration: p50 / p90 of past runs scaled by the output this run is expected to produce."""

from __future__ import annotations

from promptlab_tui.core.duration import choose_samples, expected_duration, progress_label


def test_past_durations_are_scaled_to_the_expected_output():
    # Every run streamed 100 tokens per second: 200 tokens expected -> 2 s; p90 of 500 tokens -> 5 s.
    samples = [(1000, 100), (2000, 200), (4000, 400), (500, 50)]
    estimate = expected_duration(samples, expected_output=200, p90_output=500, basis="b")
    assert (estimate.p50_ms, estimate.p90_ms, estimate.runs) == (2000, 5000, 4)
    assert estimate.label() == "~2.0 s (p90 5.0 s, b)"


def test_slow_runs_raise_the_p90_and_tiny_answers_are_left_out():
    samples = [(1000, 100)] * 9 + [(5000, 100), (9000, 2)]
    estimate = expected_duration(samples, 100, 100, "b")
    assert estimate.p50_ms == 1000 and estimate.p90_ms == 1000 and estimate.runs == 10
    estimate = expected_duration(samples[:8] + [(5000, 100)] * 2, 100, 100, "b")
    assert estimate.p90_ms == 5000


def test_no_estimate_before_three_runs_and_the_prompt_wins_with_three_runs():
    assert expected_duration([], 100, 100, "b") is None
    assert expected_duration([(1000, 100)] * 2, 100, 100, "b") is None
    assert expected_duration([(1000, 100)] * 3, 100, 100, "b").runs == 3
    assert choose_samples([(1, 10)] * 2, [(1, 10)] * 9, "gpt-4o")[1] == "gpt-4o's 9 runs"
    assert choose_samples([(1, 10)] * 3, [(1, 10)] * 9, "gpt-4o")[1] == "this prompt's 3 runs"


def test_the_running_view_counts_against_the_estimate():
    estimate = expected_duration([(2000, 100)] * 3, 100, 100, "b")
    assert progress_label(1500, estimate) == "1.5 s of ~2.0 s"
    assert progress_label(2500, estimate) == "2.5 s of ~2.0 s — slower than 9 runs in 10"
    assert progress_label(1500, None) == "1.5 s"
