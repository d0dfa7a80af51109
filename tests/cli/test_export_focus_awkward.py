"""FOCUS rows of runs whose text needs quoting (a model, price version, user, prompt or tag holding commas, quotes
or line breaks), an unknown provider, and charge periods that end in the next day, month or year: the texts that
the export formats once per key and per hour read back as each run's own values."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone

from promptlab_tui.cli.main import main
from promptlab_tui.core.history import PendingRun
from promptlab_tui.core.types import CostBreakdown, Usage
from promptlab_tui.store.repository import HistoryRepository

UTC = timezone.utc
ODD_MODEL = 'my,"odd"\nmodel'
ODD_VERSION = 'v,"1"'
ODD_USER = 'ann, "the" admin'
ODD_PROMPT = "line\r\nbreak"
ODD_TAGS = ("a,b", 'say "hi"', "", "plain")


def record(when: datetime, *, provider: str = "openai", model: str = "gpt-4o-mini", version: str | None = "v",
           user: str = "bob", prompt: str | None = "summarise", tags: tuple[str, ...] = ()) -> str:
    repo = HistoryRepository()
    try:
        reservation = repo.reserve_run(PendingRun(provider, model, 512, 10, 10, 1_000, 5_000, price_version=version,
                                                  prompt_name=prompt, tags=tags, user=user, created_at=when),
                                       None, now=when)
        repo.settle_run(reservation.run_id, Usage(input_tokens=1_000, output_tokens=10),
                        CostBreakdown(input_nanos=150_000, output_nanos=6_000, price_version=version), "completed",
                        response_text="ok", finished_at=when + timedelta(seconds=1))
    finally:
        repo.close()
    return reservation.run_id


def exported(tmp_path, capsys, *options: str) -> tuple[str, list[dict[str, str]]]:  # type: ignore[no-untyped-def]
    target = tmp_path / "focus.csv"
    assert main(["export", "--format", "focus", *options, "-o", str(target)]) == 0
    capsys.readouterr()
    with target.open(newline="", encoding="utf-8") as handle:
        text = handle.read()
    return text, list(csv.DictReader(io.StringIO(text, newline="")))


def test_awkward_text_reads_back_as_stored_and_is_quoted_as_the_csv_module_quotes(tmp_path, capsys):
    odd = record(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), model=ODD_MODEL, version=ODD_VERSION, user=ODD_USER,
                 prompt=ODD_PROMPT, tags=ODD_TAGS)
    plain = record(datetime(2026, 2, 28, 23, 10, tzinfo=UTC), prompt=None, version=None)
    other = record(datetime(2026, 6, 30, 12, 0, tzinfo=UTC), provider="acme", model="m1")
    text, rows = exported(tmp_path, capsys)
    rewritten = io.StringIO(newline="")
    csv.writer(rewritten).writerows(csv.reader(io.StringIO(text, newline="")))
    assert rewritten.getvalue() == text  # every field quoted exactly where the csv module quotes it
    by_run = {run: [row for row in rows if row["x_RunId"] == run] for run in (odd, plain, other)}
    assert [row["x_TokenKind"] for row in by_run[odd]] == ["input", "output"]
    first = by_run[odd][0]
    assert (first["x_Model"], first["x_PriceVersion"], first["SubAccountId"], first["SubAccountName"]) == (
        ODD_MODEL, ODD_VERSION, ODD_USER, ODD_USER)
    assert first["ResourceId"] == first["ResourceName"] == ODD_PROMPT and first["ResourceType"] == "Prompt"
    assert json.loads(first["Tags"]) == {tag: None for tag in ODD_TAGS}
    assert first["SkuId"] == f"openai:{ODD_MODEL}:input" and first["SkuPriceId"] == f"{ODD_VERSION}:input"
    assert first["ChargeDescription"] == f"{ODD_MODEL} input" and first["ProviderName"] == "OpenAI"
    assert (first["ChargePeriodStart"], first["ChargePeriodEnd"]) == ("2026-12-31T23:00:00Z", "2027-01-01T00:00:00Z")
    assert (first["BillingPeriodStart"], first["BillingPeriodEnd"]) == ("2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z")
    assert (first["BilledCost"], first["ListUnitPrice"], first["PricingQuantity"]) == ("0.00015", "0.15", "0.001")
    second = by_run[plain][1]
    assert (second["x_TokenKind"], second["BilledCost"], second["ListUnitPrice"]) == ("output", "0.000006", "0.6")
    assert (second["ChargePeriodStart"], second["ChargePeriodEnd"]) == ("2026-02-28T23:00:00Z", "2026-03-01T00:00:00Z")
    assert second["SkuPriceId"] == "openai:gpt-4o-mini:output" and second["x_PriceVersion"] == ""  # no version
    assert second["ResourceName"] == second["ResourceType"] == "" and json.loads(second["Tags"]) == {}
    third = by_run[other][0]
    assert (third["ProviderName"], third["ServiceName"], third["BillingAccountId"]) == ("acme", "acme API",
                                                                                        "promptlab:acme")
    assert (third["ChargePeriodStart"], third["ChargePeriodEnd"]) == ("2026-06-30T12:00:00Z", "2026-06-30T13:00:00Z")


def test_filters_pick_the_runs_and_their_texts(tmp_path, capsys):
    odd = record(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), model=ODD_MODEL, version=ODD_VERSION, tags=ODD_TAGS)
    record(datetime(2026, 12, 31, 22, 0, tzinfo=UTC))
    _, rows = exported(tmp_path, capsys, "--tag", "a,b")
    assert {row["x_RunId"] for row in rows} == {odd} and rows[0]["x_Model"] == ODD_MODEL
    _, rows = exported(tmp_path, capsys, "--model", "gpt-4o-mini")
    assert {row["x_Model"] for row in rows} == {"gpt-4o-mini"} and len(rows) == 2
