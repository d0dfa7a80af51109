"""Request and response bodies (pydantic): every string and number bounded, so bad input is a 422."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

MAX_BATCH = 1000
NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL

Name = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NO_NUL)]
Text = Annotated[str, StringConstraints(max_length=1_000_000, pattern=NO_NUL)]
RunId = Annotated[str, StringConstraints(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Count = Annotated[int, Field(ge=0, le=10**12)]
Nanos = Annotated[int, Field(ge=0, le=10**17)]  # $100M in nano-dollars: fits BIGINT with room for sums
IdPath = Annotated[int, Path(ge=1, le=2**31 - 1)]  # ids in URLs: bounded before they reach the database
RunIdPath = Annotated[str, Path(min_length=1, max_length=64)]
Role = Literal["owner", "admin", "member"]
Period = Literal["daily", "weekly", "monthly"]
RunStatus = Literal["completed", "error", "cancelled", "interrupted", "expired"]


def json_body_schema(model: type[BaseModel]) -> dict[str, Any]:
    """openapi_extra for an endpoint that reads its body itself (see validate_json_body); app.py adds the schema."""
    return {"requestBody": {"required": True, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}}}


def validate_json_body(model: type[BaseModel], raw: bytes) -> Any:
    """Validate straight from the bytes (pydantic's JSON parser); a bad body is the usual 422, never a 500."""
    from fastapi.exceptions import RequestValidationError
    from pydantic import ValidationError

    try:
        return model.model_validate_json(raw)
    except ValidationError as error:
        raise RequestValidationError([{**item, "loc": ("body", *item["loc"])}
                                      for item in error.errors(include_url=False, include_context=False)]) from None


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RunIn(Strict):
    id: RunId
    created_at: AwareDatetime
    finished_at: AwareDatetime | None = None
    provider: Name
    model: Name
    prompt_name: Name | None = None
    tags: list[Name] = Field(default_factory=list, max_length=50)
    status: RunStatus
    input_tokens: Count = 0
    output_tokens: Count = 0
    cached_input_tokens: Count = 0
    cache_write_tokens: Count = 0
    reasoning_tokens: Count = 0
    cost_nanos: Nanos | None = None
    duration_ms: Count | None = None
    prompt_text: Text | None = None
    response_text: Text | None = None


class RunBatch(Strict):
    runs: list[RunIn] = Field(max_length=MAX_BATCH)


class IngestResult(BaseModel):
    received: int
    stored: int  # inserted or updated; a run pushed again with the same numbers counts once in the totals


class RunOut(BaseModel):
    id: str
    member_id: int | None
    created_at: datetime
    provider: str
    model: str
    prompt_name: str | None
    status: str
    input_tokens: int
    output_tokens: int
    cost_nanos: int | None
    prompt_text: str | None = None
    response_text: str | None = None


class MemberIn(Strict):
    name: Name
    role: Role = "member"


class MemberPatch(Strict):
    role: Role | None = None
    share_text: bool | None = None


class MemberOut(BaseModel):
    id: int
    name: str
    role: str
    share_text: bool
    created_at: datetime
    removed_at: datetime | None = None


class MeOut(MemberOut):
    team_id: int
    team: str
    run_mode: str
    offline_policy: str
    offline_cap_nanos: int
    groups: list[str] = []


class SettingsPatch(Strict):
    share_text: bool


class TokenIn(Strict):
    label: Annotated[str, StringConstraints(max_length=200, pattern=NO_NUL)] = ""


class TokenOut(BaseModel):
    id: int
    member_id: int
    label: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class NewToken(TokenOut):
    token: str  # shown once


class GroupIn(Strict):
    name: Name


class GroupOut(BaseModel):
    id: int
    name: str
    member_ids: list[int]


class GroupMembers(Strict):
    member_ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(max_length=10_000)


class BudgetIn(Strict):
    scope: Literal["team", "member", "group"]
    subject_id: Annotated[int, Field(ge=0, le=2**31 - 1)] = 0
    period: Period
    limit_nanos: Nanos
    mode: Literal["hard", "warn"] = "hard"
    thresholds: list[Annotated[int, Field(ge=1, le=1000)]] = Field(default_factory=lambda: [75, 90, 100],
                                                                   max_length=10)


class BudgetStatus(BaseModel):
    id: int
    scope: str
    subject_id: int
    period: str
    limit_nanos: int
    mode: str
    thresholds: list[int]
    period_start: datetime
    period_end: datetime
    spent_nanos: int
    reserved_nanos: int


class PolicyIn(Strict):
    run_mode: Literal["direct", "proxy"] | None = None
    offline_policy: Literal["refuse", "local_cap"] | None = None
    offline_cap_nanos: Nanos | None = None
    reservation_ttl_s: Annotated[int, Field(ge=10, le=86_400)] | None = None
    timezone: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_+/-]+$")] | None = None


class PolicyOut(BaseModel):
    run_mode: str
    offline_policy: str
    offline_cap_nanos: int
    reservation_ttl_s: int
    timezone: str


class ReserveIn(Strict):
    id: RunId
    amount_nanos: Nanos
    provider: Name
    model: Name


class ReserveOut(BaseModel):
    id: str
    amount_nanos: int
    expires_at: datetime
    ttl_s: int | None = None  # the hold's lifetime without a heartbeat (POST /v1/reservations/{id}/heartbeat)
    budgets: list[BudgetStatus]
    warnings: list[str]


class HeartbeatOut(BaseModel):
    id: str
    expires_at: datetime
    ttl_s: int


class StatsRow(BaseModel):
    key: str
    runs: int
    input_tokens: int
    output_tokens: int
    cost_nanos: int
    unpriced_runs: int


class MemberStats(StatsRow):
    member_id: int | None
    budget_limit_nanos: int | None = None
    budget_status: str = "none"  # none | ok | warning | over


class StatsOut(BaseModel):
    start: datetime
    end: datetime
    timezone: str
    totals: StatsRow
    members: list[MemberStats]
    models: list[StatsRow]
    days: list[StatsRow]
    prompts: list[StatsRow]
    groups: list[StatsRow]


class ProviderKeyIn(Strict):
    api_key: Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=NO_NUL)]
    base_url: Annotated[str, StringConstraints(max_length=500, pattern=r"^https?://[^\x00\s]*$")] | None = None


class ProxyRunIn(Strict):
    id: RunId
    provider: Name
    model: Name
    messages: list[dict[str, Annotated[str, StringConstraints(max_length=1_000_000, pattern=NO_NUL)]]] = Field(
        min_length=1, max_length=200)
    max_tokens: Annotated[int, Field(ge=1, le=1_000_000)]
    prompt_name: Name | None = None  # the server computes the worst case itself from its price table


class ErrorDetail(BaseModel):
    code: str
    message: str
    detail: Any = None


class ErrorOut(BaseModel):
    error: ErrorDetail


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": description} for status, description in (
        (400, "the body is not JSON (undecodable bytes)"), (401, "no token, an unknown one or a revoked one"), (403, "the caller's role does not allow this"),
        (404, "no such thing in the caller's team"), (405, "method not allowed"),
        (409, "conflicts with the current state (exists, a hard budget refuses, settled already)"),
        (413, "request body too large"), (422, "invalid request: what was wrong, where"),
        (500, "internal error"))}
