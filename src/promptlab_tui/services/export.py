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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Callable

from promptlab_tui.store.export_queries import (
    CSV_COLUMNS, ExportFilter, chunk_end, chunk_sql, count_unpriced, csv_line_sql, csv_sql, export_cursor,
    snapshot_connections, time_slices)

if TYPE_CHECKING:
    from promptlab_tui.store.repository import HistoryRepository

FORMATS = ("csv", "jsonl", "focus")
BATCH = 2_000  # runs a chunk (one text from SQLite), between progress reports / cancel checks
AHEAD = 4  # chunks read ahead of the writer (per reader)
READERS = 2  # connections formatting lines at once: sqlite3 releases the GIL while SQLite works
SLICES_PER_READER = 8  # time ranges a reader takes in turn (small enough that the readers stay even)
PARALLEL_FROM = 20_000  # runs recorded from which the readers share the work (below, one is quicker)


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
    if fmt == "jsonl":
        sql, params = csv_sql(filters)
        with export_cursor(db, sql, params) as cursor:
            header = [column[0] for column in cursor.description]
            return ExportResult(_write_jsonl(cursor, header, out, progress, cancel), 0, None)
    if fmt == "focus":
        from promptlab_tui.store.export_focus import focus_header, focus_sql

        labels = provider_labels()
        header, unpriced = focus_header(), count_unpriced(db, filters)
        lines = _sliced_lines(db, lambda piece: focus_sql(piece, labels), filters, cancel)
    else:
        header, unpriced = [name for name, _ in CSV_COLUMNS], 0
        lines = _sliced_lines(db, csv_line_sql, filters, cancel)
    rows = _write_lines(lines, header, out, progress)
    return ExportResult(rows, unpriced, None)


def _recorded_runs(db) -> int:  # type: ignore[no-untyped-def]
    row = db.fetch_one("SELECT COALESCE(SUM(runs), 0) FROM daily_total", ())
    return int(row[0]) if row else 0


def _sliced_lines(db, build_sql, filters, cancel):  # type: ignore[no-untyped-def]
    """The export's lines (built by SQLite) in order, as (text of up to BATCH runs' lines, how many lines).

    The runs are cut into consecutive time ranges; reader i formats ranges i, i + READERS, ... on its own
    connection (all on one snapshot), a chunk of BATCH runs at a time (keyset: the chunk's last run is found
    on the index first), while the writer takes the ranges' chunks in order. At most AHEAD chunks wait per
    reader: memory stays flat.
    """
    readers = READERS if _recorded_runs(db) >= PARALLEL_FROM else 1
    with snapshot_connections(db, readers) as connections:
        pieces = time_slices(connections[0], filters, readers * SLICES_PER_READER if readers > 1 else 1)
        queues = [queue.Queue(maxsize=AHEAD) for _ in connections]
        stop = threading.Event()

        def put(index: int, item: object) -> bool:
            while not stop.is_set():
                try:
                    queues[index].put(item, timeout=0.1)
                    return True
                except queue.Full:
                    continue
            return False

        def read(index: int) -> None:
            conn = connections[index]
            try:
                for piece in pieces[index::len(connections)]:
                    after = None
                    while not stop.is_set():
                        scope = replace(piece, after=after)
                        last = chunk_end(conn, scope, BATCH)
                        text, count = conn.execute(*chunk_sql(*build_sql(replace(scope, through=last)))).fetchone()
                        if count and not put(index, (text, count)):
                            return
                        if last is None:
                            break
                        after = last
                    if not put(index, None):  # None ends the range
                        return
            except BaseException as error:  # noqa: BLE001 - handed to the writer, raised there
                put(index, error)

        threads = [threading.Thread(target=read, args=(i,), name=f"export-reader-{i}", daemon=True)
                   for i in range(len(connections))]
        for thread in threads:
            thread.start()
        try:
            for number in range(len(pieces)):
                while True:
                    if cancel is not None and cancel.is_set():
                        raise ExportCancelled()
                    chunk = queues[number % len(connections)].get()
                    if isinstance(chunk, BaseException):
                        raise chunk
                    if chunk is None:
                        break
                    yield chunk
        finally:
            stop.set()
            for thread in threads:
                thread.join()


def _write_lines(chunks, header, out, progress) -> int:  # type: ignore[no-untyped-def]
    """Lines that arrive finished (CSV built in SQL, quoted as the csv module quotes), a chunk of text at a time."""
    csv.writer(out).writerow(header)  # RFC 4180: CRLF line ends
    written = 0
    for text, count in chunks:
        out.write(text)
        out.write("\r\n")
        written += count
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


def rows_to_export(repository: HistoryRepository, fmt: str, filters: ExportFilter) -> int | None:
    """How many rows `fmt` writes, for a progress bar; None for FOCUS (a row per kind of token a run billed)."""
    from promptlab_tui.store.export_queries import count_runs

    return None if fmt == "focus" else count_runs(repository.db, filters)


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
