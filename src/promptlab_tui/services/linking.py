"""Recording how a run came to be (store.run_links) from the plan that ran it; UI-free.

A plan carries `link` = LinkInfo (source, group, position, detail) set by the use case that made it
(fallback, compare, batch, cache, optimise, conversation); "auto" runs get their selection's reason.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from promptlab_tui.services.context import ServiceContext
    from promptlab_tui.services.run_types import RunPlan


@dataclass(frozen=True)
class LinkInfo:
    source: str
    group_id: str | None = None
    position: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    saved_nanos: int | None = None
    cache_of: str | None = None


def new_group_id(prefix: str) -> str:
    from promptlab_tui.core.history import new_run_id

    return f"{prefix}-{new_run_id()}"


def linked_options(options: Any, link: LinkInfo, **changes: Any) -> Any:
    """The run options carrying `link`, and its source in the ledger's own `source` column where there is one
    (h/analytics' RunOptions.source: lab, run, compare, batch, fallback)."""
    if link.source in ("compare", "batch", "fallback", "cache", "optimise") and any(f.name == "source" for f in dataclasses.fields(options)):
        changes["source"] = link.source
    return dataclasses.replace(options, link=link, **changes)


def record_plan_link(context: ServiceContext, plan: RunPlan) -> None:
    """Write the plan's link (and its auto selection) beside the run's ledger row; nothing when not tracking."""
    link: LinkInfo | None = getattr(plan, "link", None)
    selection = getattr(plan, "selection", None)
    repository = context.repository
    if repository is None or (link is None and selection is None):
        return
    from promptlab_tui.store import run_links

    link = link or LinkInfo(source="auto")
    detail = dict(link.detail)
    if selection is not None:
        detail["selection"] = selection.reason
        detail["quality"] = selection.quality
    run_links.record(repository.db, run_links.RunLink(
        run_id=plan.run_id, source=link.source, group_id=link.group_id, position=link.position, detail=detail,
        saved_nanos=link.saved_nanos, cache_of=link.cache_of))

