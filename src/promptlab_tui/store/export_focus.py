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


def focus_columns(labels: Mapping[str, str]) -> list[tuple[str, str]]:
    """(FOCUS column, SQL expression) over `run` joined with the kinds `k`, with `cost` and `qty` per row."""
    provider = label_case("run.provider", labels)
    label = _by_kind([f"'{name}'" for _, name, _, _ in _KINDS], "'tokens'")
    hour = "substr(run.created_at, 1, 13)"
    month = "substr(run.created_at, 1, 7)"
    # Price per million tokens, when the stored cost is an exact multiple (it is for every published price).
    unit_price = (f"CASE WHEN qty > 0 AND (cost * 1000000) % qty = 0 THEN {_decimal('cost * 1000000 / qty', 9)} "
                  "ELSE NULL END")
    tags = ("(SELECT json_group_object(value, json('null')) FROM json_each(CASE WHEN json_valid(run.tags) "
            "THEN run.tags ELSE '[]' END))")
    return [
        ("BilledCost", usd_sql("cost")), ("EffectiveCost", usd_sql("cost")), ("ListCost", usd_sql("cost")),
        ("ContractedCost", usd_sql("cost")),
        ("ListUnitPrice", unit_price), ("ContractedUnitPrice", unit_price),
        ("PricingCurrencyListUnitPrice", unit_price), ("PricingCurrencyContractedUnitPrice", unit_price),
        ("PricingCurrencyEffectiveCost", usd_sql("cost")),
        ("BillingCurrency", "'USD'"), ("PricingCurrency", "'USD'"), ("InvoiceId", "NULL"),  # promptlab never sees the provider's invoice
        ("BillingAccountId", "'promptlab:' || run.provider"), ("BillingAccountName", provider),
        ("BillingAccountType", "'Billing Account'"),
        ("SubAccountId", "run.user"), ("SubAccountName", "run.user"),
        ("SubAccountType", "CASE WHEN run.user IS NULL THEN NULL ELSE 'User' END"),
        ("BillingPeriodStart", f"{month} || '-01T00:00:00Z'"),
        ("BillingPeriodEnd", f"strftime('%Y-%m-01T00:00:00Z', {month} || '-01', '+1 month')"),
        ("ChargePeriodStart", f"replace({hour}, ' ', 'T') || ':00:00Z'"),
        ("ChargePeriodEnd", f"strftime('%Y-%m-%dT%H:00:00Z', {hour} || ':00:00', '+1 hour')"),
        ("ChargeCategory", "'Usage'"), ("ChargeClass", "NULL"), ("ChargeFrequency", "'Usage-Based'"),
        ("ChargeDescription", f"run.model || ' ' || {label}"),
        ("ProviderName", provider), ("PublisherName", provider), ("InvoiceIssuerName", provider),
        ("ServiceName", label_case("run.provider", labels, " API")), ("ServiceCategory", "'AI and Machine Learning'"),
        ("ServiceSubcategory", "'Generative AI'"),
        ("SkuId", f"run.provider || ':' || run.model || ':' || {label}"),
        ("SkuPriceId", f"COALESCE(run.price_version, run.provider || ':' || run.model) || ':' || {label}"),
        ("SkuMeter", label), ("SkuPriceDetails", f"json_object('x_TokenKind', {label})"),
        ("PricingCategory", "'Standard'"),
        ("PricingQuantity", _decimal("qty", 6)), ("PricingUnit", "'1000000 Tokens'"),
        # A decimal column: written '438.0' so that readers do not infer integers.
        ("ConsumedQuantity", "printf('%d.0', qty)"), ("ConsumedUnit", "'Tokens'"),
        ("ResourceId", "run.prompt_name"), ("ResourceName", "run.prompt_name"),
        ("ResourceType", "CASE WHEN run.prompt_name IS NULL THEN NULL ELSE 'Prompt' END"),
        # No commitment discounts or capacity reservations exist for pay-as-you-go API tokens.
        *((name, "NULL") for name in (
            "CommitmentDiscountCategory", "CommitmentDiscountId", "CommitmentDiscountName", "CommitmentDiscountQuantity",
            "CommitmentDiscountStatus", "CommitmentDiscountType", "CommitmentDiscountUnit", "CapacityReservationId",
            "CapacityReservationStatus")),
        ("RegionId", "NULL"), ("RegionName", "NULL"), ("AvailabilityZone", "NULL"),
        ("Tags", tags),
        ("x_RunId", "run.id"), ("x_Model", "run.model"), ("x_Status", "run.status"),
        ("x_TokenKind", label), ("x_PriceVersion", "run.price_version"),
    ]


def focus_sql(filters: ExportFilter, labels: Mapping[str, str]) -> tuple[str, tuple]:
    where, params = filters.where()
    kinds = " UNION ALL ".join(f"SELECT {i}" for i in range(len(_KINDS) + 1))
    qty = _by_kind([tokens for _, _, tokens, _ in _KINDS], _ALL_TOKENS).replace("CASE kind", "CASE k.kind")
    cost = _by_kind([f"COALESCE({nanos}, 0)" for _, _, _, nanos in _KINDS], _UNSPLIT).replace("CASE kind", "CASE k.kind")
    columns = ", ".join(f"{expression} AS {name}" for name, expression in focus_columns(labels))
    # The run table drives the join (CROSS JOIN keeps it outer) in index order: rows stream, no sort.
    sql = (f"WITH k(kind) AS ({kinds}) "
           f"SELECT {columns} FROM (SELECT run.*, k.kind AS kind, {qty} AS qty, {cost} AS cost "
           f"FROM run INDEXED BY ix_run_created CROSS JOIN k "
           f"WHERE {where} AND run.cost_nanos IS NOT NULL "
           f"ORDER BY run.created_at, run.id) AS run "
           f"WHERE run.cost != 0 OR (run.qty != 0 AND run.kind < {len(_KINDS)})")
    return sql, params
