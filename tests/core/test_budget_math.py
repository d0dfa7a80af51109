"""Thresholds, projections, suggestions and the largest max tokens that fit: exact integer arithmetic."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from promptlab_tui.core.budget import (
    BudgetRefusal, BudgetSettings, alert_level, check_prompt_tokens, crossed_thresholds, max_tokens_that_fit,
    nice_round_up, projected_spend, suggest_budget)

UTC = timezone.utc
nanos = st.integers(min_value=0, max_value=10**15)


@given(spent=nanos, limit=st.integers(min_value=1, max_value=10**15),
       thresholds=st.lists(st.integers(min_value=1, max_value=200), min_size=1, max_size=5, unique=True))
def test_a_threshold_is_crossed_exactly_when_spent_reaches_its_share(spent, limit, thresholds):
    crossed = crossed_thresholds(spent, limit, thresholds)
    assert crossed == sorted(t for t in thresholds if Fraction(spent, limit) >= Fraction(t, 100))


def test_threshold_boundaries_and_levels():
    limit = 10_000_000_000  # $10
    assert crossed_thresholds(7_499_999_999, limit, (75, 90, 100)) == []
    assert crossed_thresholds(7_500_000_000, limit, (75, 90, 100)) == [75]
    assert crossed_thresholds(10_000_000_000, limit, (75, 90, 100)) == [75, 90, 100]
    assert [alert_level(t) for t in (25, 50, 75, 80, 90, 100, 120)] == [
        "info", "warning", "warning", "warning", "warning", "critical", "critical"]


@given(spent=nanos, elapsed=st.integers(min_value=1, max_value=30 * 86400))
def test_projection_is_linear_on_elapsed_time_and_never_below_spent(spent, elapsed):
    start = datetime(2024, 5, 1, tzinfo=UTC)
    end = datetime(2024, 6, 1, tzinfo=UTC)
    now = start + timedelta(seconds=elapsed)
    projected = projected_spend(spent, start, end, now)
    assert projected >= spent
    exact = Fraction(spent) * Fraction((end - start).total_seconds()) / Fraction(elapsed) if now < end else spent
    assert projected == int(exact)


def test_projection_halfway_through_doubles():
    start, end = datetime(2024, 5, 1, tzinfo=UTC), datetime(2024, 5, 3, tzinfo=UTC)
    assert projected_spend(3_000, start, end, datetime(2024, 5, 2, tzinfo=UTC)) == 6_000
    assert projected_spend(3_000, start, end, start) == 3_000


@given(amount=st.integers(min_value=1, max_value=10**16))
def test_nice_amounts_cover_the_amount_with_at_most_a_third_extra(amount):
    nice = nice_round_up(amount)
    assert nice >= amount
    assert nice <= max(10_000_000, amount * 4 // 3 + 1)


def test_suggested_budget_leaves_headroom_over_the_busiest_period():
    assert suggest_budget([], 0) is None
    assert suggest_budget([8_000_000_000, 3_000_000_000], 5_000_000_000) == 10_000_000_000  # $9.60 -> $10
    assert suggest_budget([], 12_400_000_000) == 15_000_000_000  # $14.88 -> $15


@given(remaining=st.integers(min_value=0, max_value=10**9), per_token=st.integers(min_value=1, max_value=20_000),
       fixed=st.integers(min_value=0, max_value=10**7), upper=st.integers(min_value=0, max_value=200_000))
def test_max_tokens_that_fit_is_the_largest_that_fits(remaining, per_token, fixed, upper):
    worst = lambda tokens: fixed + tokens * per_token  # noqa: E731
    fit = max_tokens_that_fit(remaining, worst, upper)
    assert 0 <= fit <= upper
    if fit > 0 or worst(0) <= remaining:
        assert worst(fit) <= remaining
    if fit < upper and worst(0) <= remaining:
        assert worst(fit + 1) > remaining


def test_refusal_says_why_with_the_numbers_and_what_to_do():
    refusal = BudgetRefusal(scope="daily", spent_nanos=4_800_000_000, reserved_nanos=100_000_000,
                            limit_nanos=5_000_000_000, worst_case_nanos=250_000_000,
                            resets_at=datetime(2024, 5, 14, 23, tzinfo=UTC), timezone_name="Europe/London")
    text = str(refusal)
    assert "$4.80" in text and "$5.00" in text and "$0.25" in text and "$0.10" in text
    assert refusal.remaining_nanos == 100_000_000
    suggestions = " / ".join(refusal.suggestions)
    assert "--daily" in suggestions and "2024-05-15 00:00 Europe/London" in suggestions
    assert "cheaper model" in suggestions and "max tokens" in suggestions


def test_prompt_token_limit():
    settings = BudgetSettings(max_tokens_per_prompt=1000, timezone="UTC")
    assert check_prompt_tokens(settings, 1000) is None
    too_large = check_prompt_tokens(settings, 1001)
    assert too_large is not None and "1,001" in str(too_large) and "1,000" in str(too_large)
    assert check_prompt_tokens(None, 10**9) is None


def test_first_budget_recommendation_leaves_headroom_over_the_expected_spend():
    from promptlab_tui.core.budget import recommend_first_budget

    monthly, recommended = recommend_first_budget(per_run_nanos=525_000, runs_per_month=600)  # $0.315 a month
    assert monthly == 315_000_000
    assert recommended is not None and recommended >= monthly + monthly // 4
    assert recommend_first_budget(0, 600) == (0, None)
