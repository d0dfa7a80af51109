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
