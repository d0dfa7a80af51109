"""Schemathesis against the served /openapi.json (bounded examples): no 500, every response as described."""

from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)
from schemathesis.checks import not_a_server_error

from tests.server.conftest import make_team


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from promptlab_tui.server.app import create_app
    from promptlab_tui.server.database import make_engine, migrate

    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'team.db'}"
    migrate(make_engine(url))
    team = make_team(url)
    return create_app(url), team.tokens["admin"]


schema = schemathesis.pytest.from_fixture("fuzzed_schema")


@pytest.fixture(scope="module")
def fuzzed_schema(fuzzed):  # type: ignore[no-untyped-def]
    app, _token = fuzzed
    return schemathesis.openapi.from_asgi("/openapi.json", app)


@schema.parametrize()
@hypothesis.settings(max_examples=15, deadline=None, derandomize=True,
                     suppress_health_check=list(hypothesis.HealthCheck))
def test_api_conforms_to_its_openapi(case, fuzzed) -> None:  # type: ignore[no-untyped-def]
    _app, token = fuzzed
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
    case.call_and_validate(
                           checks=[not_a_server_error, status_code_conformance, content_type_conformance,
                                   response_schema_conformance])
