"""The database unreachable answers 503 with the SPEC 8.1 body, like Redis (core/outage.py).

Only a refused or lost connection is an outage; any other database error stays a 500 (a
bug to see). The fault test tests/fault/test_database_restart.py does it for real.
"""

import pytest
from django.db import InterfaceError, OperationalError, ProgrammingError
from django.test import Client, RequestFactory

from thanhhoa_kpi.api.errors import exception_handler
from thanhhoa_kpi.core.outage import (
    DB_OUTAGE_MESSAGE,
    OUTAGE_MESSAGE,
    ServiceUnavailableMiddleware,
    is_outage,
    outage_body,
)


@pytest.mark.parametrize("code", [2002, 2003, 2006, 2013, 1053, 1927, 4031])
def test_a_refused_or_lost_connection_is_an_outage(code):
    assert is_outage(OperationalError(code, "connection"))


@pytest.mark.parametrize(
    "error",
    [OperationalError(1054, "Unknown column"), OperationalError("no code"), ProgrammingError(1064, "syntax"),
     ValueError("bug")],
)  # fmt: skip
def test_other_database_errors_are_not(error):
    assert not is_outage(error)


def test_a_closed_connection_is_an_outage():
    assert is_outage(InterfaceError("connection already closed"))


def test_the_api_answers_503_with_a_message_naming_the_database():
    response = exception_handler(OperationalError(2006, "MySQL server has gone away"), {})
    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert response.data == {"status": "ERROR", "code": "SERVICE_UNAVAILABLE", "message": DB_OUTAGE_MESSAGE,
                             "errors": []}  # fmt: skip
    assert outage_body()["message"] == OUTAGE_MESSAGE  # Redis keeps its own message


def test_a_desk_page_answers_a_vietnamese_503_page():
    middleware = ServiceUnavailableMiddleware(lambda request: None)
    response = middleware.process_exception(RequestFactory().get("/admin/"), OperationalError(2003, "refused"))
    assert response.status_code == 503 and DB_OUTAGE_MESSAGE in response.content.decode()
    assert middleware.process_exception(RequestFactory().get("/admin/"), OperationalError(1054, "column")) is None


class SessionReadDuringOutage:
    """Stands for a middleware reading the session while the database is down."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise OperationalError(2003, "Can't connect to server on '127.0.0.1'")


@pytest.mark.parametrize(("path", "json_body"), [("/admin/", False), ("/api/v1/worklogs/", True)])
def test_an_outage_met_by_a_middleware_answers_503_not_500(settings, path, json_body):
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(middleware.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
                      f"{__name__}.SessionReadDuringOutage")  # fmt: skip
    settings.MIDDLEWARE = middleware
    response = Client(raise_request_exception=False).get(path)
    assert response.status_code == 503 and response["Retry-After"] == "60"
    if json_body:
        assert response.json() == {"status": "ERROR", "code": "SERVICE_UNAVAILABLE", "message": DB_OUTAGE_MESSAGE,
                                   "errors": []}  # fmt: skip
    else:
        assert DB_OUTAGE_MESSAGE in response.content.decode()


def test_a_bug_in_a_middleware_stays_a_500(settings):
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(1, f"{__name__}.Buggy")
    settings.MIDDLEWARE = middleware
    assert Client(raise_request_exception=False).get("/admin/").status_code == 500


class Buggy(SessionReadDuringOutage):
    def __call__(self, request):
        raise OperationalError(1054, "Unknown column 'x'")
