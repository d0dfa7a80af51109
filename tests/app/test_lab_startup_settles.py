"""Opening the Lab settles what earlier sessions left: a run whose process died, a run whose usage went to the
journal because the database could not be written then."""

from __future__ import annotations

import sqlite3
import subprocess
from datetime import UTC, datetime

from promptlab_tui.core.history import PendingRun
from promptlab_tui.core.types import CostBreakdown, Usage
from promptlab_tui.store.journal import JournalEntry
from promptlab_tui.store.repository import HistoryRepository
from tests.app.conftest import settle
from tests.app.test_lab_run import history


def _dead_pid() -> int:
    finished = subprocess.Popen(["true"])
    finished.wait()
    return finished.pid


async def test_the_lab_settles_an_orphan_and_the_journal_at_start(make_app, isolated_home):
    repository = HistoryRepository(isolated_home / "promptlab.db")
    orphan = repository.reserve_run(PendingRun("openai", "gpt-4o-mini", 64, 11, 20, 10_000, 40_000,
                                               price_version=None), None)
    repository.checkpoint_run(orphan.run_id, 12)
    journaled = repository.reserve_run(PendingRun("openai", "gpt-4o-mini", 64, 11, 20, 10_000, 40_000), None)
    repository.journal_settlement(JournalEntry(journaled.run_id, "completed", Usage(input_tokens=11, output_tokens=7),
                                               CostBreakdown(input_nanos=1_650, output_nanos=4_200),
                                               datetime.now(UTC)))
    repository.close()
    connection = sqlite3.connect(isolated_home / "promptlab.db")
    connection.execute("UPDATE run SET pid = ?, pid_start = NULL WHERE id = ?", (_dead_pid(), orphan.run_id))
    connection.commit()
    connection.close()

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
    runs = {run.id: run for run in history(isolated_home)}
    assert runs[orphan.run_id].status == "interrupted" and runs[orphan.run_id].output_tokens == 12
    assert runs[orphan.run_id].cost_nanos == 40_000  # no price version: the reserved worst case is kept
    assert runs[journaled.run_id].status == "completed" and runs[journaled.run_id].cost_nanos == 5_850
    assert (isolated_home / "unsettled-runs.jsonl").read_text() == ""
