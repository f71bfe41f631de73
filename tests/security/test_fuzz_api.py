"""Fuzzing the REST API in the suite (issue 9, build item 4).

Schemathesis reads the committed OpenAPI file (``thanhhoa_kpi/api/openapi.yaml``, kept in
sync by tests/api/test_schema.py) and generates requests for every operation, positive
(fits the schema) and negative (does not); each one goes through Django's WSGI handler
in this process, no server, authenticated with a DRF token as the HR admin of the ward
and as a plain official. The contract checked on every answer: never a 5xx, and every
4xx carries the SPEC 8.1 body ``{"status": "ERROR", "code", "message", "errors": [{field,
message}]}``. Hand-made requests then try what a generator rarely produces: bodies over
``DATA_UPLOAD_MAX_MEMORY_SIZE``, malformed and deeply nested JSON, wrong content types,
unknown paths and methods.

Bounded for CI (two cores): ``FUZZ_EXAMPLES`` examples per operation and mode (default
3), derandomized so a run is repeatable, phases explicit + generate only (no shrinking,
no stateful runs). Every request runs in a savepoint that is rolled back, so each one
starts from the same world and nothing generated leaks into the next (or out of the test,
whose ``db`` transaction is rolled back too). Path ids are generated, and for the main
resources also pinned to a real row the persona can see, so the fuzzing reaches the
services rather than stopping at 404.
"""

from __future__ import annotations

import json
import os
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.signals import got_request_exception, request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from werkzeug.test import Client

from tests.factories.appraisals import appraisal_of, opened, prepare_appraisals
from tests.factories.worklogs import assign, log

pytestmark = pytest.mark.django_db

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "thanhhoa_kpi" / "api" / "openapi.yaml"
SCHEMA = schemathesis.openapi.from_path(SCHEMA_FILE)
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
BOUNDED = hypothesis_settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    report_multiple_bugs=False,
)
WRITE_METHODS = ("POST", "PUT", "PATCH")


# ----------------------------------------------------------------------------- plumbing


@dataclass
class Caller:
    """Sends requests to the WSGI app in this process, inside the test's transaction."""

    app: Any
    token: str
    crashes: list[str] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}"}

    def case(self, case: Any) -> Any:
        with transaction.atomic():
            response = case.call(app=self.app, headers=self.headers)
            transaction.set_rollback(True)
        return response

    def raw(self, method: str, path: str, *, data: bytes | str = b"", content_type: str = "application/json") -> Any:
        client = Client(self.app)
        with transaction.atomic():
            response = client.open(path, method=method, data=data, content_type=content_type, headers=self.headers)
            body = response.get_data()
            transaction.set_rollback(True)
        return response.status_code, response.headers.get("Content-Type", ""), body


@pytest.fixture
def wsgi_app(settings) -> Iterator[Any]:
    """Django's WSGI handler sharing the test's connection and transaction.

    Like Django's test client, the handler must not close the connection at the end of a
    request (that would end the test transaction); the login throttle counts in a local
    cache, not in the Redis other developers' runs share.
    """
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def crashes() -> Iterator[list[str]]:
    """Tracebacks of the exceptions the app turned into a 500 (shown when the test fails)."""
    seen: list[str] = []

    def record(sender: Any, request: Any = None, **kwargs: Any) -> None:
        seen.append(traceback.format_exc(limit=-4))

    got_request_exception.connect(record)
    yield seen
    got_request_exception.disconnect(record)


@pytest.fixture
def world(cast, work) -> dict[str, int]:
    """Real rows the personas can see: an opened month with appraisals, a line, an assignment."""
    prepare_appraisals()
    period = opened(cast)
    line = log(cast.official, work.culture, description="Viết tin bài")
    task = assign(cast.head, cast.official_of(cast.official), work.culture)
    return {
        "appraisals": appraisal_of(cast.official, period).pk,
        "assignments": task.pk,
        "catalogue-items": work.culture.pk,
        "catalogues": work.catalogue.pk,
        "officials": cast.official_of(cast.official).pk,
        "org-units": cast.team.pk,
        "periods": period.pk,
        "positions": cast.position.pk,
        "work-periods": work.period.pk,
        "worklogs": line.pk,
    }


def caller_for(user: Any, app: Any) -> Caller:
    token, _ = Token.objects.get_or_create(user=user)
    return Caller(app=app, token=token.key)


# ----------------------------------------------------------------------------- the contract


def spec_problem(status: int, content_type: str, content: bytes) -> str | None:
    """What is wrong with an answer under the contract (None when nothing is)."""
    if status >= 500:
        return f"{status} server error"
    if status < 400:
        return None
    if "json" not in content_type:
        return f"{status} answered {content_type or 'no content type'}, not the SPEC 8.1 JSON body"
    try:
        body = json.loads(content)
    except ValueError:
        return f"{status} with a body that is not JSON"
    errors = body.get("errors") if isinstance(body, dict) else None
    well_formed = (
        isinstance(body, dict)
        and body.get("status") == "ERROR"
        and isinstance(body.get("code"), str)
        and bool(body["code"])
        and isinstance(body.get("message"), str)
        and isinstance(errors, list)
        and all(
            isinstance(e, dict) and isinstance(e.get("field"), str) and isinstance(e.get("message"), str)
            for e in errors
        )  # fmt: skip
    )
    return None if well_formed else f"{status} body is not the SPEC 8.1 error body: {content[:200]!r}"


def operations() -> list[Any]:
    """Every operation of the schema; deletions last (any order works: each request is rolled back)."""
    found = [result.ok() for result in SCHEMA.get_all_operations()]
    return sorted(found, key=lambda op: (op.method.upper() == "DELETE", op.path, op.method))


def pinned_id(operation: Any, ids: dict[str, int]) -> dict[str, int] | None:
    """``{"id": <a real row>}`` for the resource of an operation on ``/{id}/``, if we have one."""
    parts = operation.path.strip("/").split("/")
    if len(parts) < 4 or parts[3] != "{id}":
        return None
    return {"id": ids[parts[2]]} if parts[2] in ids else None


def _negatable(operation: Any, pinned: bool) -> bool:
    """Whether negative mode can make something invalid: without a body, query or typed
    path parameter it rejects draw after draw until hypothesis gives up (slow, and useless)."""
    typed_path = any(p.definition.get("schema", {}).get("type") == "integer" for p in operation.path_parameters)
    return bool(len(operation.body) or len(operation.query) or (typed_path and not pinned))


def strategies(operation: Any, ids: dict[str, int]) -> Iterator[Any]:
    positive, negative = MODES
    pinned = pinned_id(operation, ids)
    yield operation.as_strategy(generation_mode=positive)
    if pinned is not None:
        yield operation.as_strategy(generation_mode=positive, path_parameters=pinned)
    if _negatable(operation, pinned=pinned is not None):
        yield operation.as_strategy(generation_mode=negative, path_parameters=pinned)


def fuzz_operation(operation: Any, strategy: Any, caller: Caller) -> str | None:
    """The first broken answer among the bounded examples of one strategy, described."""
    found: list[str] = []

    @BOUNDED
    @given(case=strategy)
    def run(case: Any) -> None:
        if found:
            return
        response = caller.case(case)
        problem = spec_problem(response.status_code, response.headers.get("content-type", [""])[0], response.content)
        if problem:
            found.append(f"{operation.method.upper()} {case.formatted_path} → {problem}\n  {case.as_curl_command()}")

    try:
        run()
    except Unsatisfiable:
        pass  # negative mode with the path pinned: nothing left to make invalid
    return found[0] if found else None


def fuzz_all(caller: Caller, ids: dict[str, int], crashes: list[str]) -> list[str]:
    failures = []
    for operation in operations():
        for strategy in strategies(operation, ids):
            problem = fuzz_operation(operation, strategy, caller)
            if problem:
                failures.append(problem)
                break
    if failures and crashes:
        failures.append("Last server tracebacks:\n" + "\n".join(crashes[-3:]))
    return failures


# ----------------------------------------------------------------------------- fuzzing


def test_the_schema_lists_the_operations_the_fuzzer_covers():
    names = {f"{op.method.upper()} {op.path}" for op in operations()}
    assert len(names) > 100
    assert {"POST /api/v1/worklogs/", "GET /api/v1/worklogs/hours/", "DELETE /api/v1/officials/{id}/"} <= names


def test_fuzzing_as_the_hr_admin_finds_no_5xx_and_only_spec_errors(cast, world, wsgi_app, crashes):
    failures = fuzz_all(caller_for(cast.hr, wsgi_app), world, crashes)
    assert not failures, "\n\n".join(failures)


def test_fuzzing_as_an_official_finds_no_5xx_and_only_spec_errors(cast, world, wsgi_app, crashes):
    failures = fuzz_all(caller_for(cast.official, wsgi_app), world, crashes)
    assert not failures, "\n\n".join(failures)


# ----------------------------------------------------------------------------- hostile bodies


def write_paths(ids: dict[str, int]) -> list[tuple[str, str]]:
    """(method, concrete path) of every write operation, ids pinned to real rows or to 1."""
    out = []
    for operation in operations():
        if operation.method.upper() not in WRITE_METHODS:
            continue
        path = operation.path
        for name in ("id", "disqualifier_id"):
            pinned = pinned_id(operation, ids) or {}
            path = path.replace(f"{{{name}}}", str(pinned.get(name, 1)))
        out.append((operation.method.upper(), path))
    return out


HOSTILE = {
    "malformed JSON": (b'{"date": "2026-01-01", "quantity": ', "application/json"),
    "deeply nested JSON": (b"[" * 50_000 + b"]" * 50_000, "application/json"),
    "deeply nested object": (b'{"a":' * 50_000 + b"1" + b"}" * 50_000, "application/json"),
    "JSON that is not an object": (b'"just a string"', "application/json"),
    "invalid UTF-8": (b'{"description": "\xff\xfe\xfa"}', "application/json"),
    "wrong content type": (b"<xml>1</xml>", "application/xml"),
    "broken multipart": (b"--x\r\nContent-Disposition: form-data\r\n\r\n", "multipart/form-data; boundary=x"),
    "multipart without boundary": (b"a=1", "multipart/form-data"),
}


def test_hostile_bodies_get_a_spec_error_on_every_write_operation(cast, world, wsgi_app, crashes):
    caller = caller_for(cast.hr, wsgi_app)
    failures = []
    for kind, (data, content_type) in HOSTILE.items():
        for method, path in write_paths(world):
            status, answered, body = caller.raw(method, path, data=data, content_type=content_type)
            problem = spec_problem(status, answered, body)
            if problem:
                failures.append(f"{kind}: {method} {path}: {problem}")
    if failures and crashes:
        failures.append("Last server traceback:\n" + crashes[-1])
    assert not failures, "\n".join(failures)


def test_an_oversize_body_is_refused_with_413_and_the_spec_body(cast, world, wsgi_app, settings):
    caller = caller_for(cast.official, wsgi_app)
    data = b'{"description": "' + b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1) + b'"}'
    for method, path in [("POST", "/api/v1/worklogs/"), ("POST", "/api/v1/scoring/preview/"),
                         ("PATCH", f"/api/v1/worklogs/{world['worklogs']}/")]:  # fmt: skip
        status, content_type, body = caller.raw(method, path, data=data)
        assert status == 413, (path, status, body[:200])
        assert spec_problem(status, content_type, body) is None
        assert json.loads(body)["code"] == "REQUEST_TOO_LARGE"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/v1/no-such-resource/", 404),
        ("GET", "/api/v1/worklogs/999999999/", 404),
        ("GET", "/api/v1/worklogs/not-a-number/", 404),
        ("DELETE", "/api/v1/me/", 405),
        ("PUT", "/api/v1/worklogs/hours/", 405),
    ],
)
def test_unknown_paths_and_methods_answer_the_spec_body(cast, wsgi_app, method, path, status):
    answered, content_type, body = caller_for(cast.official, wsgi_app).raw(method, path)
    assert answered == status, body[:200]
    assert spec_problem(answered, content_type, body) is None, body[:200]
