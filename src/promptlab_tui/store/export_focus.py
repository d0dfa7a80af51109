"""FinOps FOCUS cost-and-usage rows, built in SQL: one row per priced run and kind of token it billed.

A run becomes up to four charges (input, cached input, cache write, output tokens: each a SKU with its
own price), plus one row for any part of its cost not split by kind (a run settled from its reservation),
so the BilledCost of a run's rows always sums to the run's stored cost. Runs without a price are left out
(FOCUS costs cannot be null, and $0 would be a lie): the caller counts and reports them. Charge periods
are the hour the run started in (FOCUS readers aggregate by hour or day); billing periods are calendar
months in UTC. No discounts are known to promptlab, so list, contracted, effective and billed costs agree.
"""

from __future__ import annotations

from typing import Mapping

from promptlab_tui.store.export_lines import NEEDS_QUOTES, csv_line
from promptlab_tui.store.export_queries import ExportFilter, label_case, usd_sql

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


def _decimal(expression: str, places: int) -> str:
    """Exact decimal text of an integer scaled down by 10**places (e.g. tokens as millions of tokens)."""
    scale = 10 ** places
    digits = f"printf('%d.%0{places}d', ({expression}) / {scale}, ({expression}) % {scale})"
    return f"rtrim(rtrim({digits}, '0'), '.')"


# Tags are stored as json.dumps(list): '["a", "b"]' becomes '{"a": null, "b": null}' by string edits when no
# tag holds an escape (a backslash), else through json_each (slower, exact for any text).
_TAGS = ("CASE WHEN tags IS NULL OR tags = '[]' THEN '{}' "
         "WHEN instr(tags, '\\') = 0 AND substr(tags, 1, 2) = '[\"' THEN "
         "'{' || substr(replace(tags, '\", \"', '\": null, \"'), 2, length(replace(tags, '\", \"', "
         "'\": null, \"')) - 2) || ': null}' "
         "ELSE (SELECT json_group_object(value, json('null')) FROM json_each(CASE WHEN json_valid(tags) "
         "THEN tags ELSE '[]' END)) END")


# Values that can never hold a comma, a quote or a line break (numbers, times, our own words).
_ALWAYS_QUOTED = {"tags_json"}
_PLAIN = {"run_tail", "cost_usd", "unit_price", "pricing_qty", "qty || '.0'", "label", "month_start", "month_end",
          "hour_start", "hour_end"}

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
    ("Tags", "tags_json"),
    ("x_RunId", "id"), ("x_Model", "model"), ("x_Status", "status"), ("x_PriceVersion", "price_version"),
)


def _line(expressions: list) -> str:
    return csv_line(expressions, _PLAIN, _ALWAYS_QUOTED)


def _run_values(labels: Mapping[str, str]) -> list[tuple[str, str]]:
    """Stage 1, once per run: values computed from its columns."""
    hour = "substr(created_at, 1, 13)"
    month = "substr(created_at, 1, 7)"
    return [
        ("provider_label", label_case("provider", labels)),
        ("service_name", label_case("provider", labels, " API")),
        ("month_start", f"{month} || '-01T00:00:00Z'"),
        ("month_end", f"strftime('%Y-%m-01T00:00:00Z', {month} || '-01', '+1 month')"),
        ("hour_start", f"replace({hour}, ' ', 'T') || ':00:00Z'"),
        ("hour_end", f"strftime('%Y-%m-%dT%H:00:00Z', {hour} || ':00:00', '+1 hour')"),
        ("tags_json", _TAGS),
        ("sku_special", f"(COALESCE(provider, '') || COALESCE(model, '') || COALESCE(price_version, '')) {NEEDS_QUOTES}"),
    ]


def _run_parts() -> list[tuple[str, str]]:
    """Stage 2, once per run: the run's part of the line, and the run's text in its charges' SKU columns."""
    special = "sku_special"

    def text(expression: str, opening: bool) -> str:  # inside a quoted field when any of the run's text needs it
        return f"CASE WHEN {special} THEN {chr(39) + chr(34) + chr(39) + ' || ' if opening else ''}" \
               f"replace({expression}, '\"', '\"\"') ELSE {expression} END"

    return [
        ("run_tail", _line([expression for _, expression in RUN_COLUMNS])),
        ("model_open", text("model", True)),
        ("provider_open", text("provider", True)),
        ("model_text", text("model", False)),
        ("price_open", text("COALESCE(price_version, provider || ':' || model)", True)),
        ("sku_close", f"CASE WHEN {special} THEN '\"' ELSE '' END"),
    ]


def _per_charge() -> list[tuple[str, str]]:
    """Stage 3, once per charge row, from its token count `qty` and cost `cost` in nanos."""
    label = _by_kind([f"'{name}'" for _, name, _, _ in _KINDS], "'tokens'")

    return [
        ("label", label),
        ("cost_usd", usd_sql("cost")),
        # Price per million tokens, when the stored cost is an exact multiple (it is for every published price).
        ("unit_price", f"CASE WHEN qty > 0 AND (cost * 1000000) % qty = 0 THEN {_decimal('cost * 1000000 / qty', 9)} "
                       "ELSE NULL END"),
        ("pricing_qty", _decimal("qty", 6)),
    ]


_RUN_COLUMNS = ("id", "created_at", "provider", "model", "user", "prompt_name", "price_version", "status", "input_tokens", "output_tokens", "cached_input_tokens", "cache_write_tokens",
                "cache_write_1h_tokens", "input_cost_nanos", "output_cost_nanos", "cached_input_cost_nanos",
                "cache_write_cost_nanos", "cost_nanos")
# The counters the charges are cut from (a token count and a cost per kind).
_COUNTERS = ("input_tokens", "output_tokens", "cached_input_tokens", "cache_write_tokens", "cache_write_1h_tokens",
             "input_cost_nanos", "output_cost_nanos", "cached_input_cost_nanos", "cache_write_cost_nanos", "cost_nanos")
# A subquery with OFFSET is never flattened into its parent: each stage below computes its values once a row
# (a flattened query would repeat every expression in each column that uses it).
_STAGE = "LIMIT -1 OFFSET 0"


def focus_header() -> list[str]:
    return [name for name, _ in CHARGE_COLUMNS + RUN_COLUMNS]


def focus_sql(filters: ExportFilter, labels: Mapping[str, str]) -> tuple[str, tuple]:
    """One column, `line`: the charge as a CSV line (quoted as the csv module quotes), columns as focus_header().

    Sixty columns as sixty Python objects a row would cost more than all of SQLite's work, so the line is
    built here and Python only writes it.
    """
    where, params = filters.where()
    kinds = " UNION ALL ".join(f"SELECT {i}" for i in range(len(_KINDS) + 1))
    qty = _by_kind([tokens for _, _, tokens, _ in _KINDS], _ALL_TOKENS)
    cost = _by_kind([f"COALESCE({nanos}, 0)" for _, _, _, nanos in _KINDS], _UNSPLIT)
    keep = f"({cost}) != 0 OR (({qty}) != 0 AND kind < {len(_KINDS)})"

    def named(pairs: list[tuple[str, str]]) -> str:
        return ", ".join(f"{expression} AS {name}" for name, expression in pairs)

    # 1: runs in time order (the index's order: no sort), with the per-run values; 2: the run's part of the line.
    values = (f"SELECT {', '.join(_RUN_COLUMNS)}, {named(_run_values(labels))} FROM run INDEXED BY ix_run_created "
              f"WHERE {where} AND cost_nanos IS NOT NULL ORDER BY created_at, id {_STAGE}")
    # Each stage passes on only what later stages read: every column a stage yields is copied once a row.
    runs = f"SELECT {', '.join(_COUNTERS)}, {named(_run_parts())} FROM ({values}) AS v {_STAGE}"
    # 2: each run times each kind of token it billed (the run stays the outer loop: order kept).
    parts = ", ".join(name for name, _ in _run_parts())
    charges = (f"SELECT {parts}, k.kind AS kind, {qty} AS qty, {cost} AS cost FROM ({runs}) AS r CROSS JOIN k "
               f"WHERE {keep} {_STAGE}")
    # 3: the per-charge values; 4: the line.
    priced = f"SELECT c.*, {named(_per_charge())} FROM ({charges}) AS c {_STAGE}"
    line = _line([expression for _, expression in CHARGE_COLUMNS] + ["run_tail"])
    sql = f"WITH k(kind) AS ({kinds}) SELECT {line} AS line FROM ({priced})"
    return sql, params
