"""Property-based API tests with Schemathesis (4.x) against the app's own OpenAPI schema.

Every operation gets at most 25 positive and 25 negative generated requests (Hypothesis
derandomised: the same examples on every run), authenticated as beheerder. Checked with
Schemathesis' default checks: no 5xx, every status code, content type and header is documented,
every body conforms to its documented schema, schema-valid input is accepted, invalid input
rejected, and a secured operation refuses a request without credentials.

The operations are driven with `as_strategy` in one plain test (Schemathesis' pytest plugin does
not run on pytest 9 yet); a failure names the operation.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from edepot.api import create_app
from edepot.auth.tokens import issue_token
from edepot.bootstrap import build
from edepot.sample import make_sample_block
from edepot.settings import Settings

MAX_EXAMPLES = 25


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, str]:
    services = build(
        Settings(home=tmp_path_factory.mktemp("home"), public_rate_limit=None, max_upload_bytes=1024 * 1024)
    )
    services.ingest_analogue(make_sample_block(tmp_path_factory.mktemp("supplier")))
    token = issue_token(services, name="schemathesis", roles=["beheerder"], created_by="test").plaintext
    return create_app(services), token


# A schema cannot say "a zip of a valid block": random bytes that fit `format: binary` are rightly
# refused (422), so "schema-valid data is accepted" does not apply to the upload. Nor can it say
# "from is not after to": a report period that ends before it starts is rightly refused too, and
# a job's source must name a folder that exists on the server.
SEMANTIC_BODY = {"POST /api/v1/submissions", "GET /api/v1/audit/report", "POST /api/v1/jobs/analogue"}


def run_operation(operation: Any, mode: GenerationMode) -> None:
    excluded = [positive_data_acceptance] if operation.label in SEMANTIC_BODY else []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(excluded_checks=excluded)

    check()


def test_every_operation_conforms_to_the_schema_and_never_answers_5xx(api: tuple[Any, str]) -> None:
    app, token = api
    config = schemathesis.Config.from_dict({"auth": {"openapi": {"bearer": {"bearer": token}}}})
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=config)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                run_operation(operation, mode)
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE  # nothing to make invalid (no parameters, no body)
            except Exception as failure:
                raise AssertionError(f"{operation.label} ({mode.value}): {failure}") from failure
