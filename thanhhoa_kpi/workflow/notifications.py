"""Telling people: after a transition, after a review of work-log lines that found
failures or delays, before a step deadline, and once a day.

Each notice is a desk :class:`~thanhhoa_kpi.workflow.models.Notification` and an e-mail
through Django's e-mail backend (users without an address get the desk notice only).
Recipients come from :func:`~thanhhoa_kpi.workflow.selectors.awaited_users`, the same
rule the inbox uses. These functions run in RQ jobs (:mod:`thanhhoa_kpi.workflow.jobs`),
never inside a request's transaction. A transition's notice goes through the outbox
(:func:`transition_notify_later`), so it is sent even if Redis was down at the time; so
does a review's (:func:`lines_reviewed_notify_later`).

Names are in Vietnamese order (``User.get_full_name``: the official's full name) and links
in e-mails are absolute, made with ``settings.SITE_URL``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from thanhhoa_kpi.core.models import OutboxJob
from thanhhoa_kpi.core.outbox import outbox_enqueue
from thanhhoa_kpi.workflow.hosts import doctype_label
from thanhhoa_kpi.workflow.models import Notification, TransitionLog, WorkflowDocument
from thanhhoa_kpi.workflow.selectors import ActionOption, awaited_users, due_documents, pending_by_user
from thanhhoa_kpi.worklogs.models import LineStatus, WorkLogLine

DEFAULT_REMINDER_DAYS = 3
_SUBJECT_PREFIX = "[KPI Thanh Hóa] "


@dataclass(frozen=True)
class Notice:
    title: str
    template: str
    context: dict[str, Any]
    url: str = ""
    summary: str = ""


def _absolute(path: str) -> str:
    # SITE_URL (e.g. https://kpi.thanhhoa.gov.vn) makes links in e-mails clickable.
    if not path or path.startswith(("http://", "https://")):
        return path
    return f"{settings.SITE_URL.rstrip('/')}/{path.lstrip('/')}"


def _name(user: Any) -> str:
    """In Vietnamese order (họ, đệm, tên): see ``accounts.models.User.get_full_name``."""
    return user.get_full_name() or user.username


def _action_text(actions: Iterable[ActionOption]) -> str:
    return ", ".join(f"«{option.label}»" for option in actions)


def deliver(*, user_ids: Iterable[int], notice: Notice, desk: bool = True) -> int:
    """Send ``notice`` to each active user: a desk notification and an e-mail; returns e-mails sent."""
    users = list(
        get_user_model()
        .objects.filter(pk__in=set(user_ids), is_active=True)
        .select_related("official")  # the name in the greeting
        .order_by("pk")
    )
    if desk:
        Notification.objects.bulk_create(
            Notification(user=user, title=notice.title, body=notice.summary, url=notice.url) for user in users
        )
    messages = [
        EmailMessage(
            subject=_SUBJECT_PREFIX + notice.title,
            body=render_to_string(
                notice.template, {**notice.context, "name": _name(user), "url": _absolute(notice.url)}
            ),
            to=[user.email],
        )
        for user in users
        if user.email
    ]
    if not messages:
        return 0
    return get_connection().send_messages(messages) or 0


def _document_context(document: WorkflowDocument) -> dict[str, Any]:
    return {
        "doctype": doctype_label(document.workflow_doctype),
        "title": document.workflow_title(),
        "state": document.workflow_state_label(),
    }


def transition_notify_later(*, log_id: int) -> OutboxJob:
    """Call inside the transition's transaction: the job row commits (or rolls back) with
    it, goes to RQ after commit, and waits in the outbox while Redis is down."""
    return outbox_enqueue(func="thanhhoa_kpi.workflow.jobs.notify_transition", kwargs={"log_id": log_id})


def transition_notify(*, log_id: int) -> int:
    """After a transition: the users the document now awaits, and its subject if someone
    else acted on it. Returns the number of e-mails sent."""
    log = TransitionLog.objects.select_related("actor__official", "workflow").get(pk=log_id)
    document = log.document
    # Moved on (or deleted) since: the later transition's own job tells the right people.
    if document is None or document.state != log.to_state:
        return 0
    context = {**_document_context(document), "log": log, "actor": _name(log.actor)}
    awaited = awaited_users(document=document)
    awaited.pop(log.actor_id, None)
    url = document.workflow_desk_url()
    sent = 0
    for user_id, actions in awaited.items():
        summary = f"{context['actor']} đã thực hiện «{log.action_label}»; chờ bạn: {_action_text(actions)}."
        notice = Notice(
            f"Chờ bạn xử lý: {context['title']}",
            "workflow/email/awaited.txt",
            {**context, "actions": _action_text(actions)},
            url,
            summary,
        )
        sent += deliver(user_ids=[user_id], notice=notice)
    owner = getattr(document.workflow_subject_official(), "user_id", None)
    if owner is not None and owner != log.actor_id and owner not in awaited:
        summary = f"{context['actor']} đã thực hiện «{log.action_label}»; trạng thái mới: «{context['state']}»."
        if log.comment:
            summary += f" Ý kiến: {log.comment}"
        notice = Notice(f"{log.action_label}: {context['title']}", "workflow/email/outcome.txt", context, url, summary)
        sent += deliver(user_ids=[owner], notice=notice)
    return sent


def lines_reviewed_notify_later(*, lines: Iterable[WorkLogLine]) -> OutboxJob | None:
    """Call inside the review's transaction: the officials of lines reviewed with quality
    failures or delays are told after commit (nothing is queued when there are none)."""
    flagged = [[line.pk, line.reviewed_at.isoformat()] for line in lines if line.quality_failures or line.delays]
    if not flagged:
        return None
    return outbox_enqueue(func="thanhhoa_kpi.workflow.jobs.notify_lines_reviewed", kwargs={"lines": flagged})


def _line_text(line: WorkLogLine) -> str:
    parts = []
    if line.quality_failures:
        exempt = f" (miễn trừ {line.exempt_quality_failures})" if line.exempt_quality_failures else ""
        parts.append(f"{line.quality_failures} lỗi chất lượng{exempt}")
    if line.delays:
        exempt = f" (miễn trừ {line.exempt_delays})" if line.exempt_delays else ""
        parts.append(f"{line.delays} lần chậm tiến độ{exempt}")
    text = f"Ngày {line.date:%d/%m/%Y}, {line.catalogue_item.code} — {line.catalogue_item.task}: {', '.join(parts)}"
    return f"{text}. Ý kiến: {line.review_comment}" if line.review_comment else f"{text}."


def _lines_url(period_id: int) -> str:
    try:
        return reverse("admin:worklogs_worklogline_changelist") + f"?period__id__exact={period_id}"
    except NoReverseMatch:
        return ""


def lines_reviewed_notify(*, lines: list[list[Any]]) -> int:
    """Tell each official, once, which of their lines the review found failures or delays in.

    ``lines`` holds ``[line id, reviewed_at]`` pairs; a line reviewed again since is left to
    the later review's job. The outbox may run a job twice: a notice with the same text
    already made since the review is not sent again. Returns the number of e-mails sent.
    """
    wanted = {int(pk): datetime.fromisoformat(stamp) for pk, stamp in lines}
    rows = (
        WorkLogLine.objects.filter(pk__in=wanted, status=LineStatus.REVIEWED)
        .select_related("official", "catalogue_item", "reviewed_by__official")
        .order_by("official_id", "date", "pk")
    )
    by_official: dict[int, list[WorkLogLine]] = defaultdict(list)
    for line in rows:
        if line.reviewed_at == wanted[line.pk] and (line.quality_failures or line.delays) and line.official.user_id:
            by_official[line.official.user_id].append(line)
    sent = 0
    for user_id, found in by_official.items():
        reviewer = _name(found[0].reviewed_by) if found[0].reviewed_by_id else "Người duyệt"
        texts = [_line_text(line) for line in found]
        summary = f"{reviewer} đã duyệt {len(found)} dòng nhật ký của bạn: " + " ".join(texts)
        since = min(line.reviewed_at for line in found)
        if Notification.objects.filter(user_id=user_id, body=summary, created_at__gte=since).exists():
            continue
        notice = Notice(
            "Nhật ký công việc được duyệt có lỗi chất lượng hoặc chậm tiến độ",
            "workflow/email/lines_reviewed.txt",
            {"reviewer": reviewer, "lines": texts},
            _lines_url(found[0].period_id),
            summary,
        )
        sent += deliver(user_ids=[user_id], notice=notice)
    return sent


def reminders_send(*, days: int | None = None, today: date | None = None) -> int:
    """Remind the awaited users of every document whose step ends within ``days`` days
    (or has ended). Returns the number of e-mails sent."""
    days = getattr(settings, "WORKFLOW_REMINDER_DAYS", DEFAULT_REMINDER_DAYS) if days is None else days
    today = today or timezone.localdate()
    midnight = timezone.make_aware(datetime.combine(today, time.min))
    sent = 0
    for document, deadline, awaited in due_documents(until=today + timedelta(days=days)):
        overdue = deadline < today
        context = {**_document_context(document), "deadline": deadline, "overdue": overdue}
        title = f"{'Quá hạn' if overdue else 'Sắp đến hạn'} xử lý: {context['title']}"
        url = document.workflow_desk_url()
        # Once a day per person and document: a second run the same day sends nothing.
        reminded = set(
            Notification.objects.filter(
                user_id__in=list(awaited), title=title, url=url, created_at__gte=midnight
            ).values_list("user_id", flat=True)
        )
        for user_id, actions in awaited.items():
            if user_id in reminded:
                continue
            text = _action_text(actions)
            summary = f"Hạn xử lý {deadline:%d/%m/%Y}; chờ bạn: {text}."
            notice = Notice(
                title,
                "workflow/email/reminder.txt",
                {**context, "actions": text},
                url,
                summary,
            )
            sent += deliver(user_ids=[user_id], notice=notice)
    return sent


def _inbox_url() -> str:
    try:
        return _absolute(reverse("admin:workflow_inbox"))
    except NoReverseMatch:
        return ""


def digest_send() -> int:
    """One e-mail per user with documents awaiting them (no desk notice: the inbox shows
    them). Returns the number of e-mails sent."""
    sent = 0
    inbox_url = _inbox_url()
    for user_id, items in sorted(pending_by_user().items()):
        rows = [
            {
                "doctype_label": item.doctype_label,
                "title": item.title,
                "state_label": item.state_label,
                "action_text": _action_text(item.actions),
            }
            for item in items
        ]
        notice = Notice(
            f"{len(rows)} tài liệu đang chờ bạn xử lý",
            "workflow/email/digest.txt",
            {"items": rows, "inbox_url": inbox_url},
        )
        sent += deliver(user_ids=[user_id], notice=notice, desk=False)
    return sent
