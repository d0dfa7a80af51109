"""Acting on a recommendation: edit the saved prompt it names (switch its model, lower its max tokens), undo it,
and later show what it achieved (the prompt's cost per run before and after).

Applied changes are remembered in the history's `meta` table (key `applied_recommendations`, a JSON list),
so the savings achieved can be shown in any later session.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from promptlab_tui.core.analytics.figures import Totals
from promptlab_tui.core.analytics.recommend import Change
from promptlab_tui.store.analytics import grouped_sums
from promptlab_tui.store.codec import from_db, to_db

if TYPE_CHECKING:
    from promptlab_tui.services.dashboard_source import DashboardSource

META_KEY = "applied_recommendations"
BEFORE_DAYS = 30  # cost per run before a change: the 30 days before it was applied


class ChangeConflict(Exception):
    """The prompt is not as the recommendation saw it (edited since, deleted, not saved): nothing was changed."""


@dataclass(frozen=True)
class AppliedChange:
    change: Change
    path: str
    previous_text: str  # the file as it was: what undo writes back
    applied_at: datetime


@dataclass(frozen=True)
class Achieved:
    """A prompt's cost per priced run in the 30 days before a change and since it."""

    applied: AppliedChange
    before_nanos: int | None
    after_nanos: int | None
    runs_after: int

    @property
    def saving_per_run_nanos(self) -> int | None:
        if self.before_nanos is None or self.after_nanos is None:
            return None
        return self.before_nanos - self.after_nanos


def _saved_path(service: DashboardSource, prompt: str) -> Path:
    repository = service.context.repository
    saved = {p.name: p.path for p in repository.saved_prompts()} if repository is not None else {}
    if prompt not in saved:
        raise ChangeConflict(f"prompt {prompt!r} is not a saved prompt: open it in the Lab and save it first")
    return Path(saved[prompt])


def apply_change(service: DashboardSource, change: Change) -> AppliedChange:
    """Edit the saved prompt's file; raises ChangeConflict when it no longer holds the old value."""
    from promptlab_tui.core.promptfile import PromptFileError, load_prompt_file, save_prompt_file

    path = _saved_path(service, change.prompt)
    try:
        previous = path.read_text(encoding="utf-8")
        spec = load_prompt_file(path)
    except (OSError, PromptFileError) as error:
        raise ChangeConflict(f"cannot read the prompt {change.prompt!r} ({path}): {error}") from None
    current = getattr(spec, change.field)
    if change.old is not None and str(current) != str(change.old):
        raise ChangeConflict(f"prompt {change.prompt!r} now has {change.field} {current}, not {change.old}: "
                             "nothing was changed")
    setattr(spec, change.field, change.new)
    save_prompt_file(spec, path)
    applied = AppliedChange(change, str(path), previous, service.clock())
    _remember(service, applied)
    return applied


def undo_change(service: DashboardSource, applied: AppliedChange) -> None:
    """Put the file back as it was; refused (ChangeConflict) when it was edited after the change."""
    from promptlab_tui.core.promptfile import load_prompt_file

    path = Path(applied.path)
    try:
        spec = load_prompt_file(path)
    except Exception as error:  # noqa: BLE001 - any unreadable file: do not overwrite it
        raise ChangeConflict(f"cannot read {path}: {error}; nothing was changed") from None
    if str(getattr(spec, applied.change.field)) != str(applied.change.new):
        raise ChangeConflict(f"{path} was edited after the change; nothing was changed")
    path.write_text(applied.previous_text, encoding="utf-8")
    _forget(service, applied)


def applied_changes(service: DashboardSource) -> list[AppliedChange]:
    with service._read() as conn:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (META_KEY,)).fetchone()
    items = json.loads(row[0]) if row else []
    return [AppliedChange(Change(**item["change"]), item["path"], item["previous_text"], from_db(item["applied_at"]))
            for item in items]


def achieved(service: DashboardSource) -> list[Achieved]:
    """Each applied change: the prompt's cost per run in the 30 days before it and since it (local days)."""
    from promptlab_tui.core.budget import zone

    tz_name = service.timezone()
    today = service.today()
    out = []
    with service._read() as conn:
        for applied in applied_changes(service):
            day = applied.applied_at.astimezone(zone(tz_name)).date()
            before = grouped_sums(conn, day - timedelta(days=BEFORE_DAYS), day, "prompt", tz_name).get(
                (applied.change.prompt,), Totals())
            after = grouped_sums(conn, day + timedelta(days=1), today + timedelta(days=1), "prompt", tz_name).get(
                (applied.change.prompt,), Totals())
            out.append(Achieved(applied, before.avg_cost_nanos, after.avg_cost_nanos, after.runs))
    return out


def _store(service: DashboardSource, items: list[AppliedChange]) -> None:
    value = json.dumps([{"change": asdict(a.change), "path": a.path, "previous_text": a.previous_text,
                         "applied_at": to_db(a.applied_at)} for a in items])
    with service.context.repository.db.raw_write() as conn:
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (META_KEY, value))


def _remember(service: DashboardSource, applied: AppliedChange) -> None:
    _store(service, [*applied_changes(service), applied])


def _forget(service: DashboardSource, applied: AppliedChange) -> None:
    _store(service, [a for a in applied_changes(service)
                     if (a.change, a.path, to_db(a.applied_at)) != (applied.change, applied.path,
                                                                    to_db(applied.applied_at))])


__all__ = ["Achieved", "AppliedChange", "ChangeConflict", "achieved", "applied_changes", "apply_change",
           "undo_change"]
