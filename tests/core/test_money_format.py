"""Exact USD strings for JSON output."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from promptlab_tui.core.money import usd_string


def test_plain_notation_without_exponents() -> None:
    assert usd_string(None) is None
    assert usd_string(0) == "0"
    assert usd_string(10_000_000_000) == "10"  # Decimal.normalize() would give '1E+1'
    assert usd_string(412_500) == "0.0004125"
    assert usd_string(1) == "0.000000001"
    assert usd_string(-5_000_000) == "-0.005"


@given(st.integers(min_value=-10**15, max_value=10**15))
def test_round_trips_exactly(nanos: int) -> None:
    text = usd_string(nanos)
    assert "E" not in text and Decimal(text) * 1_000_000_000 == nanos


# ---- the one display rule (issue 8, item 9) ---------------------------------------------------------

from promptlab_tui.core.money import format_usd, money_places  # noqa: E402


def test_an_amount_gets_the_digits_its_size_needs() -> None:
    assert format_usd(30_000_000_000) == "$30.00"  # cents from $1
    assert format_usd(500_000_000) == "$0.50"  # and for whole cents
    assert format_usd(25_700_000) == "$0.0257"
    assert format_usd(9_189_000) == "$0.009189"
    assert format_usd(311_000) == "$0.000311"
    assert format_usd(4_321) == "$0.000004"
    assert format_usd(432) == "$0.00000043"  # two significant digits below $0.000001, never "$0.000000"
    assert format_usd(150) == "$0.00000015"
    assert format_usd(0) == "$0.00" and format_usd(None) == "no price"
    assert [money_places(n) for n in (1, 10, 999, 1_000, 10_000_000, 10_000_001)] == [9, 9, 8, 6, 2, 4]


def test_amounts_shown_against_a_small_limit_take_the_limits_digits() -> None:
    # a $0.001 limit used to show "$0.03 / $0.00"; a $0.0095 one "$0.01 / $0.01"
    assert f"{format_usd(25_780_000, beside=1_000_000)} / {format_usd(1_000_000)}" == "$0.025780 / $0.001000"
    assert f"{format_usd(9_189_000, beside=9_500_000)} / {format_usd(9_500_000)}" == "$0.009189 / $0.009500"
    assert f"{format_usd(4_204_000_000, beside=10_000_000_000)} / {format_usd(10_000_000_000)}" == "$4.20 / $10.00"
    assert format_usd(311_000, beside=30_000_000_000) == "$0.00"  # cents against a $30 limit


@given(st.integers(min_value=1, max_value=10**13))
def test_a_nonzero_amount_never_shows_as_zero(nanos: int) -> None:
    assert format_usd(nanos) not in ("$0.00", "$0.0000", "$0.000000")
