"""The desk's own stylesheet, added to every desk page by ``settings.UNFOLD["STYLES"]``."""

from django.http import HttpRequest
from django.templatetags.static import static


def stylesheet(request: HttpRequest) -> str:
    return static("desk/css/desk.css")
