"""Item 7: when the local input count is approximate and the provider bills more, the reservation (the
calibrated upper bound) still covers what the run costs, so runs that fill a hard limit cannot pass it."""

from __future__ import annotations

from promptlab_tui.services.run_types import RunOptions
from promptlab_tui.services.runner import RunService
from tests.conftest import requires_vocab
from tests.fakeprovider.behaviours import Behaviour
from tests.services.conftest import prompt, set_budget

# Long words: the tokenizer-free count for Claude is well under what the fake provider bills (tiktoken's).
QUESTION = "supercalifragilistic antidisestablishmentarianism " * 5
LONG_ANSWER = " ".join(f"story{i}" for i in range(400))  # cut at max tokens: the output costs its worst case


ENGLISH = "Please write a short friendly note to the team about the release going out on Friday morning."


def _run(text: str, options: RunOptions | None = None):
    return RunService().run(prompt(text, model="claude-haiku-4-5", max_tokens=60, system=None), options)


@requires_vocab
def test_the_reservation_covers_a_run_that_the_calibration_median_underestimates(fake_provider_env, history):
    fake_provider_env.default = Behaviour.reply(LONG_ANSWER)
    # History: three plain prompts the heuristic counts well, one it undercounts a lot. The median learns
    # "counts are right"; only the upper bound (the ratios' 90th percentile) remembers the long words.
    for _ in range(3):
        _run(ENGLISH)
    odd = _run(QUESTION)
    assert odd.usage.total_input_tokens > odd.plan.input_tokens.tokens * 1.2  # beyond the default headroom
    set_budget(daily_limit_nanos=odd.cost_nanos * 12, mode="hard")
    for attempt in range(4):
        outcome = _run(QUESTION, RunOptions(wait_budget_s=0))
        assert outcome.ok
        if attempt == 0:  # the median still says "counts are right": the estimate is low...
            assert outcome.plan.input_tokens.tokens < outcome.usage.total_input_tokens
        record = history.get_run(outcome.run_id)
        assert record.cost_nanos <= record.reserved_nanos  # ...the reservation is not
    status = history.budget_status(history.get_budget())[0]
    assert status.spent_nanos <= status.limit_nanos
