"""Property tests generated from /api/v1/openapi.json (schemathesis): no request gives a 5xx,
and every answer has a status, content type and body the document declares.

Runs on SQLite with the demo data; examples per endpoint are capped to keep the suite fast.
"""
import pytest
import schemathesis
from schemathesis import GenerationMode
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance, not_a_server_error, response_schema_conformance, status_code_conformance,
)

from dashboard.config import load_config
from dashboard.db import make_engine, upgrade
from dashboard.demo.load import load_demo


@pytest.fixture(scope="module")
def api_app(tmp_path_factory):
    from app import create_app

    var_dir = tmp_path_factory.mktemp("schemathesis")
    url = f"sqlite:///{var_dir / 'api.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    load_demo(engine, institutions=40, years=[2024, 2025], seed=5, progress=False)
    engine.dispose()
    return create_app(load_config({"DATABASE_URL": url, "ASHYQ_VAR_DIR": str(var_dir)})).server


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(scope="module")
def api_schema(api_app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api_app)
    # Valid and invalid parameters both: invalid ones must get a declared 4xx, never a 5xx.
    schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
    return schema


@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_gives_a_server_error(case):
    # identity: the in-process WSGI client does not undo Flask-Compress's brotli/gzip.
    case.call_and_validate(headers={"Accept-Encoding": "identity"},
                           checks=[not_a_server_error, status_code_conformance, content_type_conformance,
                                   response_schema_conformance])
