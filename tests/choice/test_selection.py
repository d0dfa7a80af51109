"""`model = "auto"`: picks on a hand-made table of models and tiers (core.selection, pure)."""

from __future__ import annotations

import pytest

from promptlab_tui.core.selection import Candidate, select_model

# model, provider, quality, worst case, expected (nano-dollars); `has_key` False = no key for the provider.
TABLE = [
    Candidate("tiny", "openai", "low", 1_000, 100),
    Candidate("mini", "openai", "medium", 5_000, 900),
    Candidate("haiku", "anthropic", "medium", 4_000, 1_200),
    Candidate("flash", "google", "medium", 2_000, 300, has_key=False),
    Candidate("big", "openai", "high", 60_000, 9_000),
    Candidate("sonnet", "anthropic", "high", 45_000, 12_000),
    Candidate("unpriced", "openai", "high", None, None),
    Candidate("untiered", "openai", None, 10, 1),
]


@pytest.mark.parametrize("quality, max_cost, room, picked", [
    ("low", None, None, "tiny"),          # cheapest of all tiers, expected $0.0000001
    ("medium", None, None, "mini"),       # flash is cheaper but has no key; mini 900 < haiku 1,200 expected
    ("medium", 4_600, None, "haiku"),     # mini's worst case 5,000 no longer fits
    ("medium", 10_000, 4_600, "haiku"),   # the budget's room is the tighter limit
    ("high", 50_000, None, "sonnet"),     # big (60,000) does not fit; sonnet does
    ("high", None, None, "big"),          # without a limit: big expected 9,000 < sonnet 12,000
    ("low", 999, None, None),             # nothing fits: tiny's worst case is 1,000
])
def test_hand_checked_picks(quality, max_cost, room, picked):
    selection = select_model(TABLE, quality, max_cost, room)
    assert (selection.chosen.model if selection.chosen else None) == picked


def test_the_reason_names_the_pick_its_worst_case_and_the_limit():
    selection = select_model(TABLE, "medium", 4_600)
    assert selection.reason.startswith("auto: haiku (anthropic, quality medium), the cheapest of quality medium or better")
    assert "worst case $0.000004 fits max_cost $0.000005" in selection.reason and "1 of 4 fit" in selection.reason


def test_nothing_fits_names_the_cheapest_and_its_cost():
    selection = select_model(TABLE, "high", 40_000)
    assert selection.chosen is None and selection.cheapest.model == "big"
    assert selection.reason == ("no model of quality high fits max_cost $0.000040: the cheapest, big (openai), "
                                "may cost up to $0.000060")


def test_no_key_for_any_model_of_the_tier_says_so():
    only_google = [Candidate("flash", "google", "medium", 2_000, 300, has_key=False)]
    assert select_model(only_google, "medium", None).reason == "no model of quality medium or better can run: no key for google"


def test_an_unknown_tier_is_refused():
    with pytest.raises(ValueError, match="quality must be one of low, medium, high"):
        select_model(TABLE, "best", None)
