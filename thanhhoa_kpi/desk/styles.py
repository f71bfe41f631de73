"""The desk's stylesheet and icon, on every desk page via ``settings.UNFOLD`` (``STYLES``, ``SITE_FAVICONS``)."""

from django.http import HttpRequest
from django.templatetags.static import static


def stylesheet(request: HttpRequest) -> str:
    return static("desk/css/desk.css")


def favicon(request: HttpRequest) -> str:
    return static("desk/img/favicon.svg")
