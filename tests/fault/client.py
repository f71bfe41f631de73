"""A small HTTP client on the standard library for the fault tests (no third-party package).

:class:`Client` keeps cookies (the desk's session and CSRF token), never follows redirects
(a test sees the 302 of a login) and answers every status, with the body decoded as JSON
when it is JSON. A refused or reset connection raises :class:`OSError`.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.cookiejar import CookieJar
from typing import Any


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: Any


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Client:
    def __init__(self, base_url: str, token: str | None = None) -> None:
        self.base_url = base_url
        self.cookies = CookieJar()
        self.headers = {"Authorization": f"Token {token}"} if token else {}
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect)

    def cookie(self, name: str) -> str:
        return next(cookie.value for cookie in self.cookies if cookie.name == name)

    def request(
        self, method: str, path: str, *, json_body: Any = None, form: dict[str, str] | None = None, timeout: float = 60
    ) -> Response:
        headers = dict(self.headers)
        data = None
        if json_body is not None:
            data, headers["Content-Type"] = json.dumps(json_body).encode(), "application/json"
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = self.base_url + path
        request = urllib.request.Request(self.base_url + path, data=data, headers=headers, method=method)
        try:
            with self._opener.open(request, timeout=timeout) as answer:
                return _response(answer.status, answer.headers, answer.read())
        except urllib.error.HTTPError as answer:  # 3xx (not followed), 4xx, 5xx
            return _response(answer.code, answer.headers, answer.read())


def _response(status: int, headers: Any, raw: bytes) -> Response:
    text = raw.decode("utf-8", errors="replace")
    try:
        body: Any = json.loads(text)
    except ValueError:
        body = text[:2000]
    return Response(status, dict(headers.items()), body)


def signed_in(base_url: str, username: str, password: str) -> Client:
    """A desk session: the login form posted with its CSRF token (the password step only)."""
    browser = Client(base_url)
    assert browser.request("GET", "/admin/login/").status == 200
    form = {"username": username, "password": password, "csrfmiddlewaretoken": browser.cookie("csrftoken")}
    signed = browser.request("POST", "/admin/login/", form=form)
    assert signed.status == 302, signed.body
    return browser
