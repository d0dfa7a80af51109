"""How a past run came to be (store.run_links), as history, run details and JSON show it: a cache hit with
the cost it saved, and why `model = "auto"` picked its model. UI-free."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from promptlab_tui.core.money import format_usd, usd_string

if TYPE_CHECKING:
    from promptlab_tui.store.run_links import RunLink


class RunOrigin(NamedTuple):
    """What the history and the run detail say about a linked run (None fields: not that kind of run)."""

    source: str  # auto, fallback, compare, batch, cache, optimise, conversation
    group_id: str | None
    position: int | None
    cache_of: str | None  # a cache hit: the run whose answer was served
    saved_nanos: int | None  # a cache hit: what the provider call would have cost
    selection: str | None  # model "auto": the pick and why

    @property
    def cache_hit(self) -> bool:
        return self.cache_of is not None

    @property
    def status_text(self) -> str:
        """The history's status cell of a completed cache hit: "cache hit, saved $0.000011"."""
        return f"cache hit, saved {format_usd(self.saved_nanos)}"


def origin_of(link: RunLink) -> RunOrigin:
    selection = link.detail.get("selection") if isinstance(link.detail, dict) else None
    return RunOrigin(link.source, link.group_id, link.position, link.cache_of, link.saved_nanos,
                     selection if isinstance(selection, str) else None)


def origins(repository: Any, run_ids: list[str]) -> dict[str, RunOrigin]:
    """The origins of these runs by id (one query); an unreadable link table leaves the runs plain."""
    from promptlab_tui.store import run_links

    if repository is None or not run_ids:
        return {}
    return {run_id: origin_of(link) for run_id, link in run_links.for_runs(repository.db, run_ids).items()}


def origin_json(origin: RunOrigin | None) -> dict[str, Any]:
    """The keys `history --json` adds to a run: `cache_hit` as `run --json` has it, `selection`, `link`."""
    if origin is None:
        return {"cache_hit": None, "selection": None, "link": None}
    hit = None if not origin.cache_hit else {"cache_of": origin.cache_of, "saved_nanos": origin.saved_nanos,
                                             "saved_usd": usd_string(origin.saved_nanos)}
    return {"cache_hit": hit, "selection": origin.selection,
            "link": {"source": origin.source, "group_id": origin.group_id, "position": origin.position}}


def origin_facts(origin: RunOrigin | None) -> list[tuple[str, str]]:
    """The run detail's lines about it: "Cache hit" (the run it copied, what it saved), "Auto pick" (why)."""
    if origin is None:
        return []
    facts = []
    if origin.cache_hit:
        facts.append(("Cache hit", f"the answer of run {(origin.cache_of or '')[:8]}, $0 "
                                   f"(saved {format_usd(origin.saved_nanos)})"))
    if origin.selection:
        facts.append(("Auto pick", origin.selection))
    if origin.group_id and origin.source in ("fallback", "compare", "batch"):
        where = "" if origin.position is None else f" #{origin.position + 1}"
        facts.append(("Linked", f"{origin.source}{where} in {origin.group_id}"))
    return facts
