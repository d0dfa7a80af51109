"""Exporting the history: every settled run as CSV or JSON Lines, or FinOps FOCUS cost-and-usage rows.

Rows stream from one database cursor (formatted in SQL) straight into the csv module, a batch at a
time, so memory is flat at any history size. A file is written 0600 under a temporary name beside the
target and renamed when complete: a cancelled or failed export never leaves half a file behind.
"""

from __future__ import annotations

import csv
import json
import os
import queue
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Callable

from promptlab_tui.store.export_queries import CSV_COLUMNS, ExportFilter, count_unpriced, csv_sql, export_cursor

if TYPE_CHECKING:
    from promptlab_tui.store.repository import HistoryRepository

FORMATS = ("csv", "jsonl", "focus")
BATCH = 5_000  # rows between progress reports / cancel checks
AHEAD = 4  # batches read ahead of the writer


class ExportCancelled(Exception):
    pass


@dataclass(frozen=True)
class ExportResult:
    rows: int  # lines of data written (FOCUS: charges, up to four a run)
    unpriced_left_out: int  # FOCUS only: runs without a price have no cost to report
    path: Path | None


def provider_labels() -> dict[str, str]:
    from promptlab_tui.providers.registry import BUILTIN_PROVIDERS

    return {name: builtin.label for name, builtin in BUILTIN_PROVIDERS.items()}


def export_runs(repository: HistoryRepository, fmt: str, filters: ExportFilter, out: IO[str],
                progress: Callable[[int], None] | None = None,
                cancel: threading.Event | None = None) -> ExportResult:
    """Write the runs matching `filters` to the text stream `out`; returns how many rows were written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: expected one of {', '.join(FORMATS)}")
    db = repository.db
    unpriced = 0
    if fmt == "focus":
        from promptlab_tui.store.export_focus import focus_sql

        sql, params = focus_sql(filters, provider_labels())
        unpriced = count_unpriced(db, filters)
    else:
        sql, params = csv_sql(filters)
    with export_cursor(db, sql, params) as cursor:
        header = [column[0] for column in cursor.description]
        if fmt == "focus":
            from promptlab_tui.store.export_focus import focus_header

            rows = _write_lines(cursor, focus_header(), out, progress, cancel)
        elif fmt == "jsonl":
            rows = _write_jsonl(cursor, header, out, progress, cancel)
        else:
            rows = _write_csv(cursor, header, out, progress, cancel)
    return ExportResult(rows, unpriced, None)


def _batches(cursor, cancel):  # type: ignore[no-untyped-def]
    """The cursor's rows a batch at a time, read one batch ahead by a thread of its own.

    SQLite's work (formatting included) runs while the previous batch is being written: sqlite3 releases the
    GIL while it steps, so on two cores the two overlap. At most AHEAD batches wait: memory stays flat.
    """
    ready: queue.Queue = queue.Queue(maxsize=AHEAD)
    stop = threading.Event()

    def read() -> None:
        try:
            while not stop.is_set():
                rows = cursor.fetchmany(BATCH)
                while not stop.is_set():
                    try:
                        ready.put(rows, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if not rows:
                    return
        except BaseException as error:  # noqa: BLE001 - handed to the writer, raised there
            ready.put(error)

    reader = threading.Thread(target=read, name="export-reader", daemon=True)
    reader.start()
    try:
        while True:
            if cancel is not None and cancel.is_set():
                raise ExportCancelled()
            rows = ready.get()
            if isinstance(rows, BaseException):
                raise rows
            if not rows:
                return
            yield rows
    finally:
        stop.set()
        reader.join()


def _write_csv(cursor, header, out, progress, cancel) -> int:  # type: ignore[no-untyped-def]
    writer = csv.writer(out)  # RFC 4180: CRLF line ends, quotes only where needed
    writer.writerow(header)
    written = 0
    for rows in _batches(cursor, cancel):  # flat memory; rows formatted by SQLite and csv in C
        writer.writerows(rows)
        written += len(rows)
        if progress is not None:
            progress(written)
    return written


def _write_lines(cursor, header, out, progress, cancel) -> int:  # type: ignore[no-untyped-def]
    """Rows that arrive as finished CSV lines (built in SQL): written as they come, a batch at a time."""
    csv.writer(out).writerow(header)
    written = 0
    for rows in _batches(cursor, cancel):
        out.write("\r\n".join([row[0] for row in rows]))
        out.write("\r\n")
        written += len(rows)
        if progress is not None:
            progress(written)
    return written


def _write_jsonl(cursor, header, out, progress, cancel) -> int:  # type: ignore[no-untyped-def]
    names = [name for name, _ in CSV_COLUMNS]
    dumps = json.dumps
    written = 0
    for row in cursor:
        record = dict(zip(names, row))
        record["tags"] = json.loads(record["tags"]) if record["tags"] else []
        record["usage_estimated"] = bool(record["usage_estimated"])
        out.write(dumps(record, ensure_ascii=False))
        out.write("\n")
        written += 1
        if written % BATCH == 0:
            if cancel is not None and cancel.is_set():
                raise ExportCancelled()
            if progress is not None:
                progress(written)
    if progress is not None:
        progress(written)
    return written


def export_to_file(repository: HistoryRepository, fmt: str, filters: ExportFilter, path: Path,
                   progress: Callable[[int], None] | None = None,
                   cancel: threading.Event | None = None) -> ExportResult:
    """`export_runs` into `path` (0600), atomically: the file appears only when the export is complete."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    try:
        os.fchmod(handle, 0o600)
        with os.fdopen(handle, "w", encoding="utf-8", newline="", buffering=1 << 20) as out:
            result = export_runs(repository, fmt, filters, out, progress, cancel)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    return ExportResult(result.rows, result.unpriced_left_out, path)
