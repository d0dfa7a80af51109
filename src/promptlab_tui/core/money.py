"""Exact money: integer nano-dollars (1e-9 USD) everywhere, Decimal only at the edges."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

NANOS_PER_USD = 1_000_000_000
_TOKENS_PER_MILLION = 1_000_000


def usd_to_nanos(usd: str | int | Decimal) -> int:
    """'1.25' -> 1_250_000_000. Floats are refused: they cannot hold prices exactly."""
    if isinstance(usd, float):
        raise TypeError("pass money as str, int or Decimal, never float")
    value = Decimal(usd) * NANOS_PER_USD
    return int(value.to_integral_value(rounding=ROUND_HALF_EVEN))


def nanos_to_usd(nanos: int) -> Decimal:
    return Decimal(nanos) / NANOS_PER_USD


def token_cost_nanos(tokens: int, usd_per_million: Decimal) -> int:
    """Cost of `tokens` at a per-million price, rounded half-even to a whole nano-dollar.

    Exact for any price with up to three decimals; finer prices round once per line item,
    so totals (sums of stored integers) still equal the sum of their rows.
    """
    exact = Decimal(tokens) * usd_per_million * NANOS_PER_USD / _TOKENS_PER_MILLION
    return int(exact.to_integral_value(rounding=ROUND_HALF_EVEN))


def money_places(nanos: int | None) -> int:
    """The one rule for how many decimals an amount needs at its size (every screen, dialog, banner, CLI).

    Cents for $1 or more and for whole cents; 4 decimals from $0.01; 6 from $0.000001; below that
    enough for two significant digits (at most 9, a nano-dollar), so a cost is never shown as zero.
    """
    magnitude = abs(nanos or 0)
    if magnitude == 0 or magnitude >= NANOS_PER_USD or magnitude % 10_000_000 == 0:
        return 2
    if magnitude >= 10_000_000:
        return 4
    if magnitude >= 1_000:
        return 6
    return min(9, 11 - len(str(magnitude)))  # e.g. 432 n$ (3 digits) -> 8 places: $0.00000043


def format_usd(nanos: int | None, places: int | None = None, *,
               beside: int | None | tuple[int | None, ...] = None) -> str:
    """Display string, with `money_places` decimals.

    `beside`: the amount(s) this one is shown against, e.g. its budget's limit: it takes the digits their
    size needs, so one line reads alike: "$0.025780 / $0.001000" (not "$0.03 / $0.00"), "$4.20 / $10.00".
    """
    if nanos is None:
        return "no price"
    if places is None:
        others = [n for n in (beside if isinstance(beside, tuple) else (beside,)) if n is not None]
        places = max(money_places(n) for n in others) if others else money_places(nanos)
    usd = nanos_to_usd(nanos)
    quantum = Decimal(1).scaleb(-places)
    shown = usd.quantize(quantum, rounding=ROUND_HALF_EVEN)
    sign = "-" if shown < 0 else ""
    return f"{sign}${abs(shown):,.{places}f}"


def format_ratio(numerator: int, denominator: int) -> str:
    """'4.6x' — how many times one cost is another."""
    if denominator == 0:
        return "∞x"
    ratio = Decimal(numerator) / Decimal(denominator)
    return f"{ratio.quantize(Decimal('0.1'), rounding=ROUND_HALF_EVEN)}x"


def usd_string(nanos: int | None) -> str | None:
    """Exact USD for JSON, in plain notation: 10_000_000_000 -> '10', 412_500 -> '0.0004125' (None: no price).

    (Decimal.normalize() alone would print $10 as '1E+1'.)
    """
    if nanos is None:
        return None
    text = f"{nanos_to_usd(nanos):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
