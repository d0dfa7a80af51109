"""Exporting the history: every settled run as CSV or JSON Lines, or FinOps FOCUS cost-and-usage rows.

Rows stream from one database cursor (formatted in SQL) straight into the csv module, a batch at a
time, so memory is flat at any history size. A file is written 0600 under a temporary name beside the
target and renamed when complete: a cancelled or failed export never leaves half a file behind.
"""

from __future__ import annotations

import codecs
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
    CSV_COLUMNS, ExportFilter, chunk_end, chunk_sql, count_in, count_unpriced, csv_line_sql, csv_sql, export_cursor,
    snapshot_connections)

if TYPE_CHECKING:
    from promptlab_tui.store.repository import HistoryRepository

FORMATS = ("csv", "jsonl", "focus")
BATCH = 2_000  # runs a chunk (one text from SQLite), between progress reports / cancel checks
AHEAD = 4  # chunks read ahead of the writer (per reader)
# Connections formatting lines at once (sqlite3 releases the GIL while SQLite works). One: SQLite's allocator
# takes one process-wide lock a call (its memory statistics are on by default), and a line costs dozens of
# calls, so two readers mostly wait on each other (1M runs: CSV 8.8-11.1 s with one, 12.9-14.9 s with two;
# FOCUS 10.8-12.1 s against 15 s, twice the CPU). The writer still works beside the reader.
READERS = 1
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
    """Write the runs matching `filters` to the text stream `out`; returns how many rows were written.

    `progress` hears how many of the runs matching `filters` were read so far (see rows_to_export), a chunk
    at a time; `cancel` is checked between chunks."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: expected one of {', '.join(FORMATS)}")
    db = repository.db
    if fmt == "jsonl":
        sql, params = csv_sql(filters)
        with export_cursor(db, sql, params) as cursor:
            header = [column[0] for column in cursor.description]
            return ExportResult(_write_jsonl(cursor, header, out, progress, cancel), 0, None)
    if fmt == "focus":
        from promptlab_tui.store.export_focus import focus_chunk_sql, focus_header, prepare_focus

        labels = provider_labels()
        header, unpriced = focus_header(), count_unpriced(db, filters)
        lines = _chunked_lines(db, focus_chunk_sql, filters, cancel,
                               lambda connections: prepare_focus(connections, filters, labels))
    else:
        header, unpriced = [name for name, _ in CSV_COLUMNS], 0
        lines = _chunked_lines(db, lambda scope: chunk_sql(*csv_line_sql(scope)), filters, cancel)
    rows = _write_lines(lines, header, out, progress)
    return ExportResult(rows, unpriced, None)


def _recorded_runs(db) -> int:  # type: ignore[no-untyped-def]
    row = db.fetch_one("SELECT COALESCE(SUM(runs), 0) FROM daily_total", ())
    return int(row[0]) if row else 0


def _chunked_lines(db, build_sql, filters, cancel, prepare=None):  # type: ignore[no-untyped-def]
    """The export's lines (built by SQLite) in order, as (text of a chunk's lines, lines, runs read).

    `build_sql(filters)` is the SQL of one row: the text of the lines of those runs (each line ending in CRLF)
    and how many; `prepare(connections)`, if given, readies the readers' connections first (in their snapshot).

    The runs are cut into chunks of BATCH runs in export order (keyset: a chunk's last run is found on the
    index first). Reader i of R formats chunks i, i + R, i + 2R, ... on its own connection (all on one
    snapshot), stepping over the others' chunks on the index: the readers work at once on neighbouring
    chunks while the writer takes the chunks in turn. At most AHEAD chunks wait per reader: memory stays flat.
    """
    readers = READERS if _recorded_runs(db) >= PARALLEL_FROM else 1
    with snapshot_connections(db, readers) as connections:
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
            conn, step = connections[index], BATCH * (len(connections) - 1)
            try:
                # The key of the run just before this reader's next chunk (None: before the first run).
                after = chunk_end(conn, filters, index * BATCH) if index else None
                more = after is not None or index == 0
                while more and not stop.is_set():
                    scope = replace(filters, after=after)
                    last = chunk_end(conn, scope, BATCH)
                    text, lines = conn.execute(*build_sql(replace(scope, through=last))).fetchone()
                    runs = BATCH if last is not None else count_in(conn, scope)
                    if not put(index, (text, lines, runs)):
                        return
                    after = None if last is None else chunk_end(conn, replace(filters, after=last), step) if step \
                        else last
                    more = after is not None
                put(index, None)  # this reader's next chunk would be past the last run: the export ends there
            except BaseException as error:  # noqa: BLE001 - handed to the writer, raised there
                put(index, error)

        if prepare is not None:
            prepare(connections)
        threads = [threading.Thread(target=read, args=(i,), name=f"export-reader-{i}", daemon=True)
                   for i in range(len(connections))]
        for thread in threads:
            thread.start()
        try:
            number = 0
            while True:
                if cancel is not None and cancel.is_set():
                    raise ExportCancelled()
                chunk = queues[number % len(connections)].get()
                if isinstance(chunk, BaseException):
                    raise chunk
                if chunk is None:
                    break
                yield chunk
                number += 1
        finally:
            stop.set()
            for thread in threads:
                thread.join()


def _byte_sink(out: IO[str]) -> IO[bytes] | None:
    """The binary stream under `out`, when writing UTF-8 bytes there is writing their text to `out`."""
    buffer, encoding = getattr(out, "buffer", None), getattr(out, "encoding", None)
    if buffer is None or not isinstance(encoding, str) or os.linesep != "\n":  # no newline translation to undo
        return None
    try:
        return buffer if codecs.lookup(encoding).name == "utf-8" else None
    except LookupError:
        return None


def _write_lines(chunks, header, out, progress) -> int:  # type: ignore[no-untyped-def]
    """Lines that arrive finished (CSV built in SQL, quoted as the csv module quotes), a chunk of UTF-8 at a time.

    `progress` hears how many runs were read so far (FOCUS writes up to five lines a run)."""
    csv.writer(out).writerow(header)  # RFC 4180: CRLF line ends
    sink = _byte_sink(out)
    if sink is not None:
        out.flush()  # the header first
    written = runs_read = 0
    for data, lines, runs in chunks:
        if lines:
            if sink is not None:
                sink.write(data)
            else:
                out.write(data.decode("utf-8"))
            written += lines
        runs_read += runs
        if progress is not None and runs:
            progress(runs_read)
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


def rows_to_export(repository: HistoryRepository, fmt: str, filters: ExportFilter) -> int:
    """The total that `progress` counts up to, for a progress bar: the runs `filters` holds, in every format
    (FOCUS writes a line per kind of token a run billed, but its progress counts the runs read)."""
    from promptlab_tui.store.export_queries import count_runs

    return count_runs(repository.db, filters)


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
