"""Parsing what users type into dialog fields, with errors that name the field and what was expected."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

from promptlab_tui.core.money import format_usd, nanos_to_usd, usd_to_nanos


class FieldError(ValueError):
    pass


def parse_usd(text: str, field: str) -> int | None:
    """'' -> None (no limit); '10' or '$10.50' -> nano-dollars."""
    cleaned = text.strip().lstrip("$").replace(",", "")
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise FieldError(f"{field}: expected dollars like 10 or 2.50, got {text.strip()!r}") from None
    if value <= 0:
        raise FieldError(f"{field}: must be more than $0 (leave it empty for no limit)")
    return usd_to_nanos(value)


def parse_thresholds(text: str) -> tuple[int, ...]:
    try:
        values = tuple(sorted({int(part) for part in text.replace(" ", "").split(",") if part}))
    except ValueError:
        raise FieldError(f"thresholds: expected percentages like 75,90,100, got {text.strip()!r}") from None
    if not values or any(v <= 0 or v > 1000 for v in values):
        raise FieldError("thresholds: each must be a percentage between 1 and 1000")
    return values


def parse_positive_int(text: str, field: str) -> int | None:
    cleaned = text.strip().replace(",", "").replace("_", "")
    if not cleaned:
        return None
    try:
        value = int(cleaned)
    except ValueError:
        raise FieldError(f"{field}: expected a whole number, got {text.strip()!r}") from None
    if value <= 0:
        raise FieldError(f"{field}: must be at least 1 (leave it empty for no limit)")
    return value


def usd_field(nanos: int | None) -> str:
    """Nano-dollars as an editable field value: '10', '2.5', '' for none."""
    if nanos is None:
        return ""
    return format(nanos_to_usd(nanos).normalize(), "f")


def money(nanos: int | None, beside: int | None | tuple[int | None, ...] = None) -> str:
    """An amount (shown against `beside`, e.g. its budget's limit) by core.money's one rule."""
    return format_usd(nanos, beside=beside)


def shown(path: Path | str) -> str:
    """A path as the user would type it: '~/...' under the home folder."""
    try:
        return "~/" + str(Path(path).relative_to(Path.home()))
    except (ValueError, RuntimeError):
        return str(path)
