"""The desk's stylesheet, script and icon, on every desk page via ``settings.UNFOLD`` (``STYLES``, ``SCRIPTS``...)."""

from django.http import HttpRequest
from django.templatetags.static import static


def stylesheet(request: HttpRequest) -> str:
    return static("desk/css/desk.css")


def favicon(request: HttpRequest) -> str:
    return static("desk/img/favicon.svg")


def a11y_script(request: HttpRequest) -> str:
    return static("desk/js/a11y.js")
