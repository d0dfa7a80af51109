"""A cancel (the Lab's escape, or quitting mid-run) is recorded as `cancelled` with what was spent, never as an error."""

from __future__ import annotations

import threading

import pytest

from promptlab_tui.services.run_types import RunTextDelta
from tests.fakeprovider.behaviours import Behaviour
from tests.services.conftest import prompt


@pytest.mark.parametrize("model", ["gpt-4o-mini", "claude-haiku-4-5"])
def test_a_cancel_that_ends_the_stream_cleanly_is_recorded_as_cancelled(service, fake_provider_env, history,
                                                                        model):
    # The server holds the stream open after one chunk, and its body has no framing (like an HTTP/1.0
    # proxy), so closing the connection on cancel looks to the SDK like a normal end of the stream.
    fake_provider_env.script(Behaviour.broken(after_chunks=1, stall_seconds=30, close_delimited=True,
                                              text="alpha beta gamma delta"))
    cancel = threading.Event()

    def on_event(event):
        if isinstance(event, RunTextDelta):
            cancel.set()  # the user presses escape once the first words are on screen

    outcome = service.run(prompt(model=model), on_event=on_event, cancel=cancel)

    assert outcome.status == "cancelled", outcome.error_message
    assert "cancelled" in outcome.error_message.lower() and "ended before" not in outcome.error_message
    record = history.get_run(outcome.run_id)
    assert record.status == "cancelled"
    assert record.cost_nanos == outcome.cost_nanos > 0  # the input and the words received are still billed
    assert record.input_tokens > 0 and record.output_tokens > 0
