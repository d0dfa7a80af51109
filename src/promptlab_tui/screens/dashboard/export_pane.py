"""Exporting the dashboard's period from the app (`x`): CSV, JSON Lines or FOCUS rows of its runs into the data
folder's exports/, with a progress bar; `x` again cancels (nothing is left behind: services.export writes the file
only when complete)."""

from __future__ import annotations

import threading
from typing import Any

from textual import work
from textual.message import Message
from textual.widgets import ProgressBar


class ExportProgress(Message):
    """`rows`: the period's runs read so far, of `total` (FOCUS writes up to five lines a run: it counts runs)."""

    def __init__(self, rows: int, total: int | None) -> None:
        super().__init__()
        self.rows, self.total = rows, total


class ExportDone(Message):
    def __init__(self, path: Any, rows: int, error: str | None, cancelled: bool) -> None:
        super().__init__()
        self.path, self.rows, self.error, self.cancelled = path, rows, error, cancelled


class ExportMixin:
    """Mixed into DashboardScreen (which holds `service` and `view`)."""

    export_cancel: threading.Event | None = None

    def action_export(self) -> None:
        if self.export_cancel is not None:
            self.export_cancel.set()
            return
        if self.view is None:
            return
        from promptlab_tui.screens.dashboard.export_format_dialog import ExportFormatDialog

        self.app.push_screen(ExportFormatDialog(), self._export_as)

    def _export_as(self, fmt: str | None) -> None:
        if fmt is None or self.view is None or self.export_cancel is not None:
            return
        self.export_cancel = threading.Event()
        bar = self.query_one("#dash-export", ProgressBar)
        bar.update(total=None, progress=0)
        bar.remove_class("-hidden")
        self.export_period(self.view.period, self.view.timezone, self.export_cancel, fmt)

    @work(thread=True, group="dashboard-export", exclusive=True)
    def export_period(self, period: Any, tz_name: str, cancel: threading.Event, fmt: str = "csv") -> None:
        from promptlab_tui.paths import app_paths
        from promptlab_tui.services.export import ExportCancelled, export_to_file, rows_to_export
        from promptlab_tui.store.export_queries import ExportFilter

        start, end = period.bounds(tz_name)
        filters = ExportFilter(since=start, until=end)
        repository = self.service.context.repository
        try:
            folder = app_paths().data_dir / "exports"
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            total = rows_to_export(repository, fmt, filters)  # runs: what progress counts, FOCUS too
            self.post_message(ExportProgress(0, total))
            name = f"promptlab-{period.first.isoformat()}--{period.last.isoformat()}"
            target = folder / (f"{name}.jsonl" if fmt == "jsonl" else f"{name}-focus.csv" if fmt == "focus"
                               else f"{name}.csv")
            result = export_to_file(repository, fmt, filters, target,
                                    lambda rows: self.post_message(ExportProgress(rows, total)), cancel)
        except ExportCancelled:
            self.post_message(ExportDone(None, 0, None, True))
            return
        except Exception as error:  # noqa: BLE001 - a full disk, a read-only folder: said, not raised
            self.post_message(ExportDone(None, 0, f"Export failed: {error}", False))
            return
        self.post_message(ExportDone(result.path, result.rows, None, False))

    def on_export_progress(self, message: ExportProgress) -> None:
        self.query_one("#dash-export", ProgressBar).update(total=message.total or None, progress=message.rows)

    def on_export_done(self, message: ExportDone) -> None:
        self.export_cancel = None
        self.query_one("#dash-export", ProgressBar).add_class("-hidden")
        if message.cancelled:
            self.notify("Export cancelled: no file was written.")
        elif message.error:
            self.notify(message.error, severity="error")
        else:
            self.notify(f"Exported {message.rows:,} rows to {message.path}", timeout=10)
