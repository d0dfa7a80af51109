"""CSV lines built by SQLite: one printf a row, quoted exactly where Python's csv module would quote.

Sixty (or thirty) values a row as Python objects cost more than all of SQLite's work, so an export asks
SQLite for each finished line and Python only writes it (see export_focus and export_queries).
"""

from __future__ import annotations

from typing import Collection

NEEDS_QUOTES = "GLOB '*[\",\n\r]*'"


def quoted(expression: str) -> str:
    """A free-text value as a CSV field, quoted only where Python's csv module would quote it."""
    return (f"CASE WHEN ({expression}) {NEEDS_QUOTES} THEN '\"' || replace({expression}, '\"', '\"\"') || '\"' "
            f"ELSE {expression} END")


def _piece(expression: str | tuple[str, list[str]], quote: bool, plain: Collection[str],
           always_quoted: Collection[str]) -> tuple[str, list[str]]:
    """One CSV field as (printf format, its arguments): constants go into the format, quoted here once; our own
    values (numbers, times, labels: `plain`) are printed as they are; free text is quoted when `quote`."""
    if isinstance(expression, tuple):
        return expression
    if expression == "NULL":
        return "", []
    if expression.startswith("'") and expression.endswith("'") and expression.count("'") == 2:
        text = expression[1:-1]
        if any(ch in text for ch in '",\n\r'):
            text = '"' + text.replace('"', '""') + '"'
        return text.replace("%", "%%"), []
    if expression in plain:
        return "%s", [expression]
    if expression in always_quoted:  # holds quotes whenever it is not empty: quoted, cheaply
        return "%s", [f"CASE WHEN instr({expression}, '\"') THEN '\"' || replace({expression}, '\"', '\"\"') || '\"' "
                      f"ELSE {expression} END"]
    return "%s", [quoted(expression) if quote else expression]


def _printf(expressions: list, quote: bool, plain: Collection[str], always_quoted: Collection[str]) -> str:
    formats, arguments = [], []
    for expression in expressions:
        fmt, args = _piece(expression, quote, plain, always_quoted)
        formats.append(fmt)
        arguments += args
    template = ",".join(formats).replace("'", "''")
    return f"printf('{template}', {', '.join(arguments)})" if arguments else f"'{template}'"


def csv_line(expressions: list, plain: Collection[str] = (), always_quoted: Collection[str] = (),
             short: bool = False) -> str:
    """The fields as one CSV line by one printf (NULL prints as ''): a chain of || costs SQLite far more.

    Free text is checked for characters that need quoting once, all together (one GLOB a line); only a line
    that has any takes the slower form that checks and quotes each field. `short`: a few short fields, checked
    by instr, each for each character (cheaper than a GLOB's class at each position). An expression may also be
    a (printf format, arguments) pair, written as it is.
    """
    def args(e: str, quote: bool) -> list[str]:
        return _piece(e, quote, plain, always_quoted)[1]

    free = [e for e in expressions if isinstance(e, str) and args(e, True) != args(e, False)]
    if not free:
        return _printf(expressions, False, plain, always_quoted)
    if short:  # instr(NULL, x) is NULL: not true
        check = " OR ".join(f"instr({e}, {c})" for e in dict.fromkeys(free)
                            for c in ("'\"'", "','", "char(10)", "char(13)"))
    else:
        check = "(" + " || ".join(f"COALESCE({e}, '')" for e in dict.fromkeys(free)) + f") {NEEDS_QUOTES}"
    return (f"CASE WHEN {check} THEN {_printf(expressions, True, plain, always_quoted)} "
            f"ELSE {_printf(expressions, False, plain, always_quoted)} END")
