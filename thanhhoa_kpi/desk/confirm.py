"""A confirmation step for the desk's actions that change state.

unfold draws detail actions as links, so they arrive as GET requests: a link sent by
mail or planted on another site would open or close a period with the victim's session
(SameSite=Lax sends the cookie on a top-level GET). The action therefore only shows a
question on GET and acts on POST, which Django's CSRF check covers.

Steps that cannot be undone lightly (closing a period, publishing, a bulk decision in the
inbox) also ask when they start from a POST form: the question names what will happen
and to how many rows, and only its own form, which carries :data:`CONFIRMED`, acts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

# The hidden field of the question's own form: a POST without it only asks.
CONFIRMED = "confirmed"


def is_confirmed(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get(CONFIRMED) == "1"


def ask(
    request: HttpRequest, model_admin: Any, *, title: str, question: str, confirm_label: str, back_url: str,
    detail: str = "", items: Iterable[str] = (), reason_label: str = "", hidden: Iterable[tuple[str, Any]] = (),
) -> TemplateResponse:  # fmt: skip
    """The question and a POST form back to this URL; ``hidden`` fields are posted again
    and ``reason_label`` adds a required reason (the ``reason`` field)."""
    context = {
        **model_admin.admin_site.each_context(request), "title": title, "opts": model_admin.model._meta,
        "question": question, "detail": detail, "confirm_label": confirm_label, "back_url": back_url,
        "items": list(items), "reason_label": reason_label, "hidden": [(name, str(value)) for name, value in hidden],
        "confirmed_field": CONFIRMED,
    }  # fmt: skip
    return TemplateResponse(request, "desk/confirm_action.html", context)


def confirm_first(
    request: HttpRequest, model_admin: Any, *, title: str, question: str, confirm_label: str, back_url: str,
    act: Callable[[], HttpResponse], detail: str = "", reason_label: str = "",
) -> HttpResponse:  # fmt: skip
    """``act()`` on POST; on any other method, the question with a POST form."""
    if request.method == "POST":
        return act()
    return ask(request, model_admin, title=title, question=question, confirm_label=confirm_label,
               back_url=back_url, detail=detail, reason_label=reason_label)  # fmt: skip


def confirm_selected(
    request: HttpRequest, model_admin: Any, queryset: QuerySet, *, title: str, question: str, confirm_label: str,
    act: Callable[[], Any], detail: str = "", reason_label: str = "",
) -> Any:  # fmt: skip
    """For a changelist action (already a POST): ask first, naming each selected row, and
    post the action and the selection again; ``act()`` runs on the question's own POST."""
    if is_confirmed(request):
        return act()
    rows = list(queryset.order_by("pk"))
    hidden = [("action", request.POST.get("action", "")), *((ACTION_CHECKBOX_NAME, row.pk) for row in rows)]
    return ask(request, model_admin, title=title, question=question.format(count=len(rows)),
               confirm_label=confirm_label, back_url=request.get_full_path(), detail=detail,
               items=[str(row) for row in rows], reason_label=reason_label, hidden=hidden)  # fmt: skip
