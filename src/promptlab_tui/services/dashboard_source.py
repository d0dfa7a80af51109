"""What the dashboard's view builders need from `DashboardService` (so they never import it: no cycle)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Callable, ContextManager, Protocol

if TYPE_CHECKING:
    from sqlite3 import Connection

    from promptlab_tui.services.context import ServiceContext


class DashboardSource(Protocol):
    context: ServiceContext
    clock: Callable[[], datetime]

    def timezone(self) -> str: ...

    def today(self) -> date: ...

    def _read(self) -> ContextManager[Connection]: ...
