"""No false blocks: a run refused only because another run holds its worst case waits for it to settle.

Deterministic: run A is held just after its reservation (its worst case in the ledger) until run B
says it is waiting; then A goes on, settles at its much smaller actual cost, and B fits.
"""

from __future__ import annotations

import threading

import pytest

from promptlab_tui.core.pricing import load_pricing, worst_case_cost
from promptlab_tui.core.tokens import count_messages
from promptlab_tui.services.run_types import BudgetRefused, RunOptions, RunStarted, RunWaiting
from promptlab_tui.services.runner import RunService
from tests.conftest import requires_vocab
from tests.fakeprovider.behaviours import Behaviour
from tests.reliability.processes import wait_until
from tests.services.conftest import prompt, set_budget

MAX_TOKENS = 400  # the worst case; the answer is a few tokens


def _room_for_one_worst_case(history) -> tuple[int, int]:
    """(limit, worst): a budget where A's reservation leaves no room for B, and A's actual cost does."""
    spec = prompt(max_tokens=MAX_TOKENS)
    price = load_pricing().resolve("gpt-4o-mini")
    worst = worst_case_cost(price, count_messages(spec.messages, "gpt-4o-mini").tokens, MAX_TOKENS)
    return worst + worst // 2, worst


def _run_a_held(service: RunService, held: threading.Event, outcomes: list) -> threading.Thread:
    def on_event(event):
        if isinstance(event, RunStarted):
            held.wait(30)  # reserved, not yet sent: its worst case is in the ledger

    thread = threading.Thread(target=lambda: outcomes.append(
        service.run(prompt(max_tokens=MAX_TOKENS), RunOptions(wait_budget_s=0), on_event=on_event)))
    thread.start()
    return thread


@requires_vocab
def test_a_run_refused_only_for_a_run_in_flight_waits_and_then_runs(fake_provider_env, history):
    fake_provider_env.default = Behaviour.reply("Two.")
    limit, worst = _room_for_one_worst_case(history)
    set_budget(daily_limit_nanos=limit, mode="hard")
    release_a, a_outcomes, waited = threading.Event(), [], []
    a = _run_a_held(RunService(), release_a, a_outcomes)
    try:
        def on_event(event):
            if isinstance(event, RunWaiting):
                waited.append(event)
                release_a.set()  # B is waiting: now let A finish and settle

        wait_until(lambda: history.in_flight_runs() == 1, timeout=30, what="A's reservation")
        b = RunService().run(prompt(max_tokens=MAX_TOKENS), RunOptions(wait_budget_s=30), on_event=on_event)
    finally:
        release_a.set()
        a.join(30)
    [a_outcome] = a_outcomes
    assert a_outcome.ok and b.ok
    assert [w.runs for w in waited] == [1] and "waiting for 1 run to settle" in waited[0].message
    status = history.budget_status(history.get_budget())[0]
    assert status.reserved_nanos == 0 and status.spent_nanos == a_outcome.cost_nanos + b.cost_nanos <= limit


@requires_vocab
def test_without_waiting_the_same_run_is_refused(fake_provider_env, history):
    fake_provider_env.default = Behaviour.reply("Two.")
    limit, _ = _room_for_one_worst_case(history)
    set_budget(daily_limit_nanos=limit, mode="hard")
    release_a, a_outcomes = threading.Event(), []
    a = _run_a_held(RunService(), release_a, a_outcomes)
    try:
        wait_until(lambda: history.in_flight_runs() == 1, timeout=30, what="A's reservation")
        with pytest.raises(BudgetRefused) as refused:
            RunService().run(prompt(max_tokens=MAX_TOKENS), RunOptions(wait_budget_s=0))
        assert refused.value.reserved_nanos > 0
    finally:
        release_a.set()
        a.join(30)


@requires_vocab
def test_a_run_that_cannot_fit_even_after_the_others_settle_is_refused_at_once(fake_provider_env, history):
    fake_provider_env.default = Behaviour.reply("Two.")
    _, worst = _room_for_one_worst_case(history)
    set_budget(daily_limit_nanos=worst // 2, mode="hard")
    waited = []
    with pytest.raises(BudgetRefused):
        RunService().run(prompt(max_tokens=MAX_TOKENS), RunOptions(wait_budget_s=30), on_event=waited.append)
    assert not [e for e in waited if isinstance(e, RunWaiting)]


@requires_vocab
def test_a_cancel_while_waiting_stops_the_run_with_nothing_reserved(fake_provider_env, history):
    from promptlab_tui.providers.base import Cancelled

    fake_provider_env.default = Behaviour.reply("Two.")
    limit, _ = _room_for_one_worst_case(history)
    set_budget(daily_limit_nanos=limit, mode="hard")
    release_a, a_outcomes = threading.Event(), []
    a = _run_a_held(RunService(), release_a, a_outcomes)
    cancel = threading.Event()
    try:
        wait_until(lambda: history.in_flight_runs() == 1, timeout=30, what="A's reservation")

        def on_event(event):
            if isinstance(event, RunWaiting):
                cancel.set()  # the user gives up waiting (escape in the Lab)

        with pytest.raises(Cancelled, match="while it waited for other runs to settle"):
            RunService().run(prompt(max_tokens=MAX_TOKENS), RunOptions(wait_budget_s=30), on_event=on_event,
                             cancel=cancel)
        assert history.in_flight_runs() == 1  # only A: the cancelled run reserved nothing
    finally:
        release_a.set()
        a.join(30)
    assert len(fake_provider_env.requests) == 1
