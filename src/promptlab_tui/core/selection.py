"""`model = "auto"`: the cheapest model of at least a quality tier whose worst case fits the cost limit.

Pure: the caller gives each candidate's costs (counted with the model's own tokenizer) and whether
the user has a key for its provider; the result says what was picked and why, or why nothing was.
"""

from __future__ import annotations

from dataclasses import dataclass

from promptlab_tui.core.budget import BudgetViolation
from promptlab_tui.core.money import format_usd
from promptlab_tui.core.pricing import QUALITY_TIERS

AUTO_MODEL = "auto"
DEFAULT_QUALITY = "medium"


def is_auto(model: str | None) -> bool:
    return (model or "").strip().lower() == AUTO_MODEL


def quality_rank(quality: str | None) -> int:
    """0 for low, 1 medium, 2 high; -1 for a model without a tier (never picked)."""
    return QUALITY_TIERS.index(quality) if quality in QUALITY_TIERS else -1


@dataclass(frozen=True)
class Candidate:
    model: str
    provider: str
    quality: str | None
    worst_case_nanos: int | None  # what would be reserved (None: no price, never picked)
    expected_nanos: int | None
    has_key: bool = True


@dataclass(frozen=True)
class Selection:
    """The pick (None when nothing fits) and a one-line reason shown before the run and recorded with it."""

    chosen: Candidate | None
    quality: str
    limit_nanos: int | None  # the tighter of max_cost and what the budget has left; None: no limit
    reason: str
    cheapest: Candidate | None = None  # the cheapest of the tier with a key, whether it fits or not
    fitting: int = 0  # how many candidates fit
    max_cost_nanos: int | None = None  # the per-run cap asked for (max_cost / --max-cost)
    room_nanos: int | None = None  # what the budget (period or session) has left

    def blocking(self) -> tuple[bool, bool]:
        """(max_cost blocks the cheapest, the budget's room blocks it): which limit a refusal is about."""
        worst = self.cheapest.worst_case_nanos if self.cheapest is not None else None
        if worst is None:
            return False, False
        return (self.max_cost_nanos is not None and worst > self.max_cost_nanos,
                self.room_nanos is not None and worst > self.room_nanos)


class NoModelFits(BudgetViolation):
    """No model of the asked tier fits the limit: says which is the cheapest and what it would cost."""

    def __init__(self, selection: Selection) -> None:
        self.selection = selection
        super().__init__(selection.reason)

    @property
    def suggestions(self) -> list[str]:
        cheapest = self.selection.cheapest
        if cheapest is None:
            return ["set an API key for a provider of that tier, or lower `quality`"]
        need = format_usd(cheapest.worst_case_nanos)
        by_cap, by_budget = self.selection.blocking()
        items = []
        if by_cap or not by_budget:
            items.append(f"raise max_cost to at least {need} (or --max-cost)")
        if by_budget:  # raising max_cost cannot help: the budget has less left than the cheapest may cost
            items.append(f"the budget has {format_usd(self.selection.room_nanos)} left and the cheapest may cost "
                         f"up to {need}: raise the budget's limit (promptlab budget set) or wait for its reset")
        items.append("lower max_tokens so the worst case fits")
        if self.selection.quality != QUALITY_TIERS[0]:
            items.append("ask for a lower quality tier")
        return items


def _order(candidate: Candidate) -> tuple:
    # Cheapest expected spend first; the worst case breaks ties, then the stronger tier, then the name.
    return (candidate.expected_nanos if candidate.expected_nanos is not None else candidate.worst_case_nanos,
            candidate.worst_case_nanos, -quality_rank(candidate.quality), candidate.model, candidate.provider)


def select_model(candidates: list[Candidate], quality: str, max_cost_nanos: int | None,
                 room_nanos: int | None = None) -> Selection:
    """The cheapest candidate of at least `quality` with a key whose worst case fits both limits."""
    if quality not in QUALITY_TIERS:
        raise ValueError(f"quality must be one of {', '.join(QUALITY_TIERS)}, got {quality!r}")
    wanted = quality_rank(quality)
    tier_word = f"quality {quality}" + (" or better" if quality != QUALITY_TIERS[-1] else "")
    limits = [n for n in (max_cost_nanos, room_nanos) if n is not None]
    limit = min(limits) if limits else None
    of_tier = [c for c in candidates if quality_rank(c.quality) >= wanted and c.worst_case_nanos is not None]
    keyed = sorted((c for c in of_tier if c.has_key), key=_order)
    if not keyed:
        missing = sorted({c.provider for c in of_tier})
        why = (f"no model of {tier_word} can run: no key for " + ", ".join(missing)) if missing \
            else f"no priced model of {tier_word} in the price table"
        return Selection(None, quality, limit, why)
    fitting = [c for c in keyed if limit is None or c.worst_case_nanos <= limit]
    cheapest = keyed[0]
    if not fitting:  # name the limit(s) the cheapest passes: raising another one would not help
        worst = cheapest.worst_case_nanos
        what = _limit_words(max_cost_nanos if max_cost_nanos is not None and worst > max_cost_nanos else None,
                            room_nanos if room_nanos is not None and worst > room_nanos else None)
        return Selection(None, quality, limit,
                         f"no model of {tier_word} fits {what}: the cheapest, {cheapest.model} ({cheapest.provider}),"
                         f" may cost up to {format_usd(cheapest.worst_case_nanos)}", cheapest, 0,
                         max_cost_nanos, room_nanos)
    chosen = fitting[0]
    fit_words = f"whose worst case {format_usd(chosen.worst_case_nanos)} fits {_limit_words(max_cost_nanos, room_nanos)}" \
        if limit is not None else f"(worst case {format_usd(chosen.worst_case_nanos)}, no cost limit)"
    reason = (f"auto: {chosen.model} ({chosen.provider}, quality {chosen.quality}), the cheapest of {tier_word} "
              f"{fit_words}; expected {format_usd(chosen.expected_nanos)}; {len(fitting)} of {len(keyed)} fit")
    return Selection(chosen, quality, limit, reason, cheapest, len(fitting), max_cost_nanos, room_nanos)


def _limit_words(max_cost_nanos: int | None, room_nanos: int | None) -> str:
    parts = []
    if max_cost_nanos is not None:
        parts.append(f"max_cost {format_usd(max_cost_nanos)}")
    if room_nanos is not None and (max_cost_nanos is None or room_nanos < max_cost_nanos):
        parts.append(f"the {format_usd(room_nanos)} the budget has left")
    return " and ".join(parts) or "no limit"
