"""A confirmation step for the desk's detail actions that change state.

unfold draws detail actions as links, so they arrive as GET requests: a link sent by
mail or planted on another site would open or close a period with the victim's session
(SameSite=Lax sends the cookie on a top-level GET). The action therefore only shows a
question on GET and acts on POST, which Django's CSRF check covers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse


def confirm_first(
    request: HttpRequest, model_admin: Any, *, title: str, question: str, confirm_label: str, back_url: str,
    act: Callable[[], HttpResponse], detail: str = "",
) -> HttpResponse:  # fmt: skip
    """``act()`` on POST; on any other method, the question with a POST form."""
    if request.method == "POST":
        return act()
    context = {
        **model_admin.admin_site.each_context(request), "title": title, "opts": model_admin.model._meta,
        "question": question, "detail": detail, "confirm_label": confirm_label, "back_url": back_url,
    }  # fmt: skip
    return TemplateResponse(request, "desk/confirm_action.html", context)
