"""FinOps FOCUS cost-and-usage rows, built in SQL: one row per priced run and kind of token it billed.

A run becomes up to four charges (input, cached input, cache write, output tokens: each a SKU with its
own price), plus one row for any part of its cost not split by kind (a run settled from its reservation),
so the BilledCost of a run's rows always sums to the run's stored cost. Runs without a price are left out
(FOCUS costs cannot be null, and $0 would be a lie): the caller counts and reports them. Charge periods
are the hour the run started in (FOCUS readers aggregate by hour or day); billing periods are calendar
months in UTC. No discounts are known to promptlab, so list, contracted, effective and billed costs agree.

Most of a line's text depends only on the run's (provider, model, price version) key, or on the hour it started
in: prepare_focus formats those texts once a key and once an hour into two temporary tables, so that for each run
SQLite joins them to its own few values (user, prompt, tags, id, status) and each charge adds its numbers.
"""

from __future__ import annotations

import sqlite3
from typing import Mapping

from promptlab_tui.store.export_lines import NEEDS_QUOTES, csv_line, quoted
from promptlab_tui.store.export_queries import ExportFilter, label_case

FOCUS_VERSION = "1.2"

# (kind, label, SQL of the token count, SQL of the cost in nanos) for each SKU of a run.
_KINDS = (
    (0, "input", "input_tokens", "input_cost_nanos"),
    (1, "cached-input", "cached_input_tokens", "cached_input_cost_nanos"),
    (2, "cache-write", "cache_write_tokens + cache_write_1h_tokens", "cache_write_cost_nanos"),
    (3, "output", "output_tokens", "output_cost_nanos"),
)
_UNSPLIT = ("cost_nanos - COALESCE(input_cost_nanos, 0) - COALESCE(output_cost_nanos, 0) "
            "- COALESCE(cached_input_cost_nanos, 0) - COALESCE(cache_write_cost_nanos, 0)")
_ALL_TOKENS = "input_tokens + output_tokens + cached_input_tokens + cache_write_tokens + cache_write_1h_tokens"


def _by_kind(arms: list[str], other: str) -> str:
    return "CASE kind " + " ".join(f"WHEN {i} THEN {arm}" for i, arm in enumerate(arms)) + f" ELSE {other} END"


# Tags are stored as json.dumps(list): '["a", "b"]' becomes '{"a": null, "b": null}' by string edits when no
# tag holds an escape (a backslash), else through json_each (slower, exact for any text).
_TAGS = ("CASE WHEN tags IS NULL OR tags = '[]' THEN '{}' "
         "WHEN instr(tags, '\\') = 0 AND substr(tags, 1, 2) = '[\"' THEN "
         "'{' || substr(replace(tags, '\", \"', '\": null, \"'), 2, length(replace(tags, '\", \"', "
         "'\": null, \"')) - 2) || ': null}' "
         "ELSE (SELECT json_group_object(value, json('null')) FROM json_each(CASE WHEN json_valid(tags) "
         "THEN tags ELSE '[]' END)) END")
# _TAGS as a CSV field (quoted: it holds quotes). A list as json.dumps writes it ('["a", "b"]', no backslash) is
# quoted as it is converted: '"{""a"": null, ""b"": null}"' (its one '[' and one ']' trimmed); else as _TAGS.
_DOUBLED = "replace(replace(tags, '\"', '\"\"'), '\"\", \"\"', '\"\": null, \"\"')"
_TAGS_CSV = ("CASE WHEN tags IS NULL OR tags = '[]' THEN '{}' "
             "WHEN instr(tags, '\\') = 0 AND substr(tags, 1, 2) = '[\"' AND substr(tags, -2) = '\"]' THEN "
             f"printf('\"{{%s: null}}\"', rtrim(ltrim({_DOUBLED}, '['), ']')) "
             f"ELSE (SELECT CASE WHEN instr(t, '\"') THEN '\"' || replace(t, '\"', '\"\"') || '\"' ELSE t END "
             f"FROM (SELECT {_TAGS} AS t)) END")


# FOCUS columns of one charge (a run's kind of token), then those that are the same for all of a run's charges.
# Column order is free in FOCUS (readers go by the header): grouping them lets SQLite build the run's part once.
CHARGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("BilledCost", "cost_usd"), ("EffectiveCost", "cost_usd"), ("ListCost", "cost_usd"),
    ("ContractedCost", "cost_usd"), ("PricingCurrencyEffectiveCost", "cost_usd"),
    ("ListUnitPrice", "unit_price"), ("ContractedUnitPrice", "unit_price"),
    ("PricingCurrencyListUnitPrice", "unit_price"), ("PricingCurrencyContractedUnitPrice", "unit_price"),
    ("PricingQuantity", "pricing_qty"),
    ("ConsumedQuantity", "qty || '.0'"),  # a decimal column: '438.0', so that readers do not infer integers
    ("SkuMeter", "label"), ("x_TokenKind", "label"),
    ("SkuPriceDetails", ('"{""x_TokenKind"": ""%s""}"', ["label"])),
    # The run's text, quoted once per run (sku_open / sku_close), then the kind of token.
    ("ChargeDescription", ("%s %s%s", ["model_open", "label", "sku_close"])),
    ("SkuId", ("%s:%s:%s%s", ["provider_open", "model_text", "label", "sku_close"])),
    ("SkuPriceId", ("%s:%s%s", ["price_open", "label", "sku_close"])),
)
RUN_COLUMNS: tuple[tuple[str, str], ...] = (
    ("BillingCurrency", "'USD'"), ("PricingCurrency", "'USD'"),
    ("InvoiceId", "NULL"),  # promptlab never sees the provider's invoice
    ("BillingAccountId", "'promptlab:' || provider"), ("BillingAccountName", "provider_label"),
    ("BillingAccountType", "'Billing Account'"),
    ("SubAccountId", "user"), ("SubAccountName", "user"),
    ("SubAccountType", "CASE WHEN user IS NULL THEN NULL ELSE 'User' END"),
    ("BillingPeriodStart", "month_start"), ("BillingPeriodEnd", "month_end"),
    ("ChargePeriodStart", "hour_start"), ("ChargePeriodEnd", "hour_end"),
    ("ChargeCategory", "'Usage'"), ("ChargeClass", "NULL"), ("ChargeFrequency", "'Usage-Based'"),
    ("ProviderName", "provider_label"), ("PublisherName", "provider_label"), ("InvoiceIssuerName", "provider_label"),
    ("ServiceName", "service_name"), ("ServiceCategory", "'AI and Machine Learning'"),
    ("ServiceSubcategory", "'Generative AI'"), ("PricingCategory", "'Standard'"),
    ("PricingUnit", "'1000000 Tokens'"), ("ConsumedUnit", "'Tokens'"),
    ("ResourceId", "prompt_name"), ("ResourceName", "prompt_name"),
    ("ResourceType", "CASE WHEN prompt_name IS NULL THEN NULL ELSE 'Prompt' END"),
    # No commitment discounts or capacity reservations exist for pay-as-you-go API tokens.
    *((name, "NULL") for name in (
        "CommitmentDiscountCategory", "CommitmentDiscountId", "CommitmentDiscountName", "CommitmentDiscountQuantity",
        "CommitmentDiscountStatus", "CommitmentDiscountType", "CommitmentDiscountUnit", "CapacityReservationId",
        "CapacityReservationStatus")),
    ("RegionId", "NULL"), ("RegionName", "NULL"), ("AvailabilityZone", "NULL"),
    ("Tags", "tags_json"),  # _TAGS_CSV
    ("x_RunId", "id"), ("x_Model", "model"), ("x_Status", "status"), ("x_PriceVersion", "price_version"),
)


def _run_values(labels: Mapping[str, str]) -> list[tuple[str, str]]:
    """Values of a run's key (provider, model, price version) or hour: prepare_focus formats them once each."""
    hour, month = "substr(created_at, 1, 13)", "substr(created_at, 1, 7)"
    return [
        ("provider_label", label_case("provider", labels)),
        ("service_name", label_case("provider", labels, " API")),
        ("month_start", f"{month} || '-01T00:00:00Z'"),
        ("month_end", f"strftime('%Y-%m-01T00:00:00Z', {month} || '-01', '+1 month')"),
        ("hour_start", f"replace({hour}, ' ', 'T') || ':00:00Z'"),
        ("hour_end", f"strftime('%Y-%m-%dT%H:00:00Z', {hour} || ':00:00', '+1 hour')"),
        ("sku_special", f"(COALESCE(provider, '') || COALESCE(model, '') || COALESCE(price_version, '')) {NEEDS_QUOTES}"),
    ]


def _run_parts() -> list[tuple[str, str]]:
    """The key's text in its charges' SKU columns (quoted as one field when any of it needs quoting)."""
    special = "sku_special"

    def text(expression: str, opening: bool) -> str:  # inside a quoted field when any of the run's text needs it
        return f"CASE WHEN {special} THEN {chr(39) + chr(34) + chr(39) + ' || ' if opening else ''}" \
               f"replace({expression}, '\"', '\"\"') ELSE {expression} END"

    return [
        ("model_open", text("model", True)),
        ("provider_open", text("provider", True)),
        ("model_text", text("model", False)),
        ("price_open", text("COALESCE(price_version, provider || ':' || model)", True)),
        ("sku_close", f"CASE WHEN {special} THEN '\"' ELSE '' END"),
    ]


# The counters the charges are cut from (a token count and a cost per kind).
_COUNTERS = ("input_tokens", "output_tokens", "cached_input_tokens", "cache_write_tokens", "cache_write_1h_tokens",
             "input_cost_nanos", "output_cost_nanos", "cached_input_cost_nanos", "cache_write_cost_nanos", "cost_nanos")
# A subquery with OFFSET is never flattened into its parent: each stage below computes its values once a row
# (a flattened query would repeat every expression in each column that uses it).
_STAGE = "LIMIT -1 OFFSET 0"


def focus_header() -> list[str]:
    return [name for name, _ in CHARGE_COLUMNS + RUN_COLUMNS]


# Where each value of RUN_COLUMNS comes from: the run's (provider, model, price version) key, the hour it started
# in, or the run itself. Key and hour values are formatted once a key / an hour (in temporary tables, see
# prepare_focus), so that a run only joins them to its own few values.
_KEY_VALUES = {"'promptlab:' || provider", "provider_label", "service_name", "model", "price_version"}
_HOUR_VALUES = {"month_start", "month_end", "hour_start", "hour_end"}
_RUN_TYPES = {"CASE WHEN user IS NULL THEN NULL ELSE 'User' END",
              "CASE WHEN prompt_name IS NULL THEN NULL ELSE 'Prompt' END"}
KEY_TABLE, HOUR_TABLE = "temp.focus_export_key", "temp.focus_export_hour"
_SAMPLE = 100  # runs of a key read for its unit prices


def _tail_pieces() -> list[tuple[str, list[str]]]:
    """RUN_COLUMNS in order as (level, expressions), consecutive values of one level together."""
    pieces: list[tuple[str, list[str]]] = []
    for _, expression in RUN_COLUMNS:
        level = ("key" if expression in _KEY_VALUES or expression == "NULL" or expression.startswith("'")
                 else "hour" if expression in _HOUR_VALUES else "run")
        if pieces and pieces[-1][0] == level and level != "run":
            pieces[-1][1].append(expression)
        else:
            pieces.append((level, [expression]))
    return pieces


def _key_columns() -> list[tuple[str, str]]:
    """(name, SQL) of the key table's texts: each kind's charge columns (from SkuMeter on) and the run tail's
    pieces that only depend on the key (constants included), each field quoted as the csv module would."""
    columns = []
    for kind, name, _, _ in (*_KINDS, (len(_KINDS), "tokens", "", "")):
        label, fields = f"'{name}'", []
        for _, expression in CHARGE_COLUMNS[CHARGE_COLUMNS.index(("SkuMeter", "label")):]:
            if isinstance(expression, tuple):
                fields.append((expression[0], [label if a == "label" else a for a in expression[1]]))
            else:
                fields.append(label if expression == "label" else expression)
        columns.append((f"charge_{kind}", csv_line(fields)))
    for number, (level, expressions) in enumerate(_tail_pieces()):
        if level == "key":
            columns.append((f"tail_{number}", csv_line([(("%s", [quoted(e)]) if e in _KEY_VALUES else e)
                                                         for e in expressions])))
    return columns


def _create_tables(conn: sqlite3.Connection) -> None:
    texts = ", ".join(name for name, _ in _key_columns())
    units = ", ".join(f"unit_{kind}, units_{kind}" for kind, _, _, _ in _KINDS)
    conn.execute(f"CREATE TEMP TABLE {KEY_TABLE.split('.')[1]} (key_id INTEGER PRIMARY KEY, key_provider, key_model, "
                 f"key_price_version, {texts}, {units})")
    conn.execute(f"CREATE UNIQUE INDEX temp.focus_export_key_ix ON {KEY_TABLE.split('.')[1]} "
                 "(key_provider, key_model, key_price_version)")
    conn.execute(f"CREATE TEMP TABLE {HOUR_TABLE.split('.')[1]} (hour TEXT PRIMARY KEY, text) WITHOUT ROWID")


def prepare_focus(connections: list[sqlite3.Connection], filters: ExportFilter, labels: Mapping[str, str]) -> None:
    """Fill the temporary tables of focus_chunk_sql on each connection (all in one read snapshot): the texts of
    every (provider, model, price version) key and every hour that `filters` holds. The first connection reads
    them from the history; the others get a copy (a few rows: reading a million runs once is enough)."""
    conn = connections[0]
    _create_tables(conn)
    where, params = filters.where()
    values = ", ".join(f"{expression} AS {name}" for name, expression in _run_values(labels)
                       if name in ("provider_label", "service_name", "sku_special"))
    keys = (f"SELECT DISTINCT provider, model, price_version FROM run WHERE {where} AND cost_nanos IS NOT NULL")
    parts = ", ".join(f"{expression} AS {name}" for name, expression in _run_parts())
    texts = _key_columns()
    conn.execute(f"INSERT INTO {KEY_TABLE} (key_provider, key_model, key_price_version, "
                 f"{', '.join(n for n, _ in texts)}) SELECT provider, model, price_version, "
                 f"{', '.join(e for _, e in texts)} FROM (SELECT *, {parts} FROM (SELECT *, {values} FROM ({keys})))",
                 params)
    for kind, _, tokens, nanos in _KINDS:
        # A unit price that some of the key's runs were costed at: a charge costed at it reuses its text.
        runs = (f"SELECT {tokens} AS qty, {nanos} AS cost FROM run WHERE model = key_model AND provider = key_provider "
                f"AND price_version IS key_price_version LIMIT {_SAMPLE}")
        unit = f"(SELECT cost * 1000000 / qty FROM ({runs}) WHERE qty > 0 AND (cost * 1000000) % qty = 0 LIMIT 1)"
        conn.execute(f"UPDATE {KEY_TABLE} SET unit_{kind} = {unit}")
        conn.execute(f"UPDATE {KEY_TABLE} SET units_{kind} = {_copies(_usd(f'unit_{kind}'), 4)} "
                     f"WHERE unit_{kind} IS NOT NULL")
    hour, hour_values = "substr(created_at, 1, 13)", dict(_run_values(labels))
    text = csv_line([hour_values[name] for name in ("month_start", "month_end", "hour_start", "hour_end")],
                    _HOUR_VALUES)
    # DISTINCT keeps only the hours (a GROUP BY would sort every run).
    conn.execute(f"INSERT INTO {HOUR_TABLE} SELECT hour, {text.replace('created_at', 'hour')} FROM (SELECT DISTINCT "
                 f"{hour} AS hour FROM run INDEXED BY ix_run_created WHERE {where} AND cost_nanos IS NOT NULL)", params)
    for table in (KEY_TABLE, HOUR_TABLE):
        rows = conn.execute(f"SELECT * FROM {table}").fetchall()
        for other in connections[1:]:
            if table == KEY_TABLE:
                _create_tables(other)
            if rows:
                other.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(rows[0]))})", rows)


def _tail() -> str:
    """The run's part of each of its lines: key and hour texts joined, and the run's own values."""
    fields: list = []
    for number, (level, expressions) in enumerate(_tail_pieces()):
        if level == "key":
            fields.append(("%s", [f"k.tail_{number}"]))
        elif level == "hour":
            fields.append(("%s", ["h.text"]))
        elif expressions[0] == "tags_json":
            fields.append(("%s", [_TAGS_CSV]))
        else:
            fields.append(expressions[0])
    return csv_line(fields, _RUN_TYPES, short=True)


def _usd(expression: str, places: int = 9) -> str:
    """Exact decimal text of a non-NULL integer scaled down by 10**places ('0.0004125', '10'; tokens as millions
    of tokens with places=6): trailing zeros trimmed, the rtrim of '.' only needed (so skipped) without a fraction."""
    scale = 10 ** places
    return (f"CASE WHEN ({expression}) % {scale} = 0 THEN ({expression}) / {scale} "
            f"ELSE rtrim(printf('%d.%0{places}d', ({expression}) / {scale}, ({expression}) % {scale}), '0') END")


_SLOT = "#" * 20  # as long as any amount: replace() then fills its result without growing it


def _copies(text: str, times: int) -> str:
    """`times` copies of `text`, comma-separated, with `text` computed once."""
    return f"replace('{','.join([_SLOT] * times)}', '{_SLOT}', {text})"


def _charge(kind: int, qty: str, cost: str) -> tuple[str, str]:
    """(SQL of the kind's line, ending in CRLF, or NULL when the run billed nothing of it; SQL of 1 or 0)."""
    keep = f"({cost}) != 0" + (f" OR ({qty}) != 0" if kind < len(_KINDS) else "")
    unit = (f"CASE WHEN ({qty}) > 0 AND (({cost}) * 1000000) % ({qty}) = 0 THEN "
            f"{_copies(_usd(f'({cost}) * 1000000 / ({qty})'), 4)} ELSE ',,,' END")
    if kind < len(_KINDS):  # at the key's unit price (the bounds keep the product an exact integer): its text
        unit = (f"CASE WHEN ({qty}) BETWEEN 1 AND 9000000 AND c.unit_{kind} <= 1000000000000 AND ({cost}) * 1000000 "
                f"= ({qty}) * c.unit_{kind} THEN c.units_{kind} ELSE {unit} END")
    line = (f"printf('%s,%s,%s,%s.0,%s,%s' || char(13, 10), {_copies(_usd(cost), 5)}, "
            f"{unit}, {_usd(qty, 6)}, {qty}, c.charge_{kind}, tail)")
    return f"CASE WHEN {keep} THEN {line} END", f"({keep})"


def focus_chunk_sql(filters: ExportFilter) -> tuple[str, tuple]:
    """One row: the lines of the runs of `filters` (each ending in CRLF, columns as focus_header()) as one UTF-8
    BLOB, and how many. Needs prepare_focus on the connection (with filters that hold these).

    Sixty columns as sixty Python objects a row would cost more than all of SQLite's work, so the lines are
    built here and Python only writes them.
    """
    where, params = filters.where()
    # 1: runs in time order (the index's order: no sort), each with its tail (once a run) and its key.
    runs = (f"SELECT {', '.join(_COUNTERS)}, {_tail()} AS tail, k.key_id AS run_key FROM run INDEXED BY ix_run_created "
            f"CROSS JOIN {KEY_TABLE} AS k CROSS JOIN {HOUR_TABLE} AS h "
            f"WHERE {where} AND cost_nanos IS NOT NULL AND k.key_provider = run.provider AND k.key_model = run.model "
            f"AND k.key_price_version IS run.price_version AND h.hour = substr(run.created_at, 1, 13) "
            f"ORDER BY created_at, id {_STAGE}")
    # 2: each kind of token the run billed as a line (the run stays the outer loop: order kept).
    charges = [_charge(kind, qty, cost) for kind, (qty, cost) in enumerate(zip(
        [tokens for _, _, tokens, _ in _KINDS] + [_ALL_TOKENS],
        [f"COALESCE({nanos}, 0)" for _, _, _, nanos in _KINDS] + [_UNSPLIT]))]
    lines = f"printf('{'%s' * len(charges)}', {', '.join(line for line, _ in charges)})"
    count = " + ".join(keep for _, keep in charges)
    # As a BLOB: UTF-8 bytes, that Python need not decode (nor encode again to write them).
    sql = (f"SELECT CAST(group_concat({lines}, '') AS BLOB), SUM({count}) FROM ({runs}) AS r "
           f"CROSS JOIN {KEY_TABLE} AS c ON c.key_id = r.run_key")
    return sql, params
