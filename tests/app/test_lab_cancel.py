"""Cancelling a run in the Lab (escape, or quitting mid-run) records it as cancelled, with what was spent."""

from __future__ import annotations

from tests.app.conftest import lab_screen, settle
from tests.app.test_lab_run import PROMPT, history
from tests.fakeprovider.behaviours import Behaviour
from tests.reliability.processes import wait_until

# The server holds the stream after one chunk; its body has no framing, so the connection closed by the
# cancel looks to the SDK like a normal end of the answer (as behind an HTTP/1.0 proxy).
HELD_STREAM = Behaviour.broken(after_chunks=1, stall_seconds=30, close_delimited=True,
                               text="alpha beta gamma delta")


async def _start_held_run(pilot, lab) -> None:
    await settle(pilot)
    await pilot.press(*PROMPT)
    await settle(pilot)
    await pilot.press("ctrl+r")
    for _ in range(500):  # poll until the first words are on screen
        await pilot.pause(0.02)
        if lab.results.answer_text:
            return
    raise AssertionError("the run never streamed")


async def test_escape_records_cancelled_even_when_the_stream_ends_cleanly(make_app, fake_provider_env,
                                                                         isolated_home):
    fake_provider_env.script(HELD_STREAM)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        lab = lab_screen(app)
        await _start_held_run(pilot, lab)
        await pilot.press("escape")
        await settle(pilot)
        assert "Cancelled" in lab.results.summary_text
        assert "Failed" not in lab.results.summary_text and "ended before" not in lab.results.summary_text
    [run] = history(isolated_home)
    assert run.status == "cancelled" and run.cost_nanos > 0


async def test_quitting_mid_run_records_cancelled(make_app, fake_provider_env, isolated_home):
    fake_provider_env.script(HELD_STREAM)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        lab = lab_screen(app)
        await _start_held_run(pilot, lab)
        await pilot.press("ctrl+q")
    # The run's thread settles after the app has closed (a real process waits for it before exiting).
    [run] = wait_until(lambda: [r for r in history(isolated_home) if r.status != "pending"], timeout=30,
                       what="the run to be settled")
    assert run.status == "cancelled" and run.cost_nanos > 0
