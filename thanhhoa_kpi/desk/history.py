"""Read-only, scoped change history for every desk page (issue 9, findings 1-2).

django-simple-history's own admin views load a historical row without the page's scope
and save whatever is posted back to the per-version form (the Revert button is only
hidden). The desk replaces both views:

- ``<pk>/history/`` is a timeline of the versions of one row the caller may read (the row
  comes from the page's scoped ``get_queryset``; anything else is a 404): who changed it
  (full name), when (local time), and each field's label with its old → new value, values
  as people read them (choices and workflow states by label, people by full name);
- ``<pk>/history/<history_id>/`` shows one version read-only; it answers every method but
  GET/HEAD with 405 and never writes.

:class:`ReadOnlyHistoryMixin` holds both views; ``DeskSite.register`` refuses a page with
history that does not use them, so no page can bring the writable form back.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.admin.utils import unquote
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.text import capfirst
from simple_history.models import DeletedObject

SAFE_METHODS = ("GET", "HEAD")
EMPTY = "—"
HISTORY_TYPES = {"+": "Tạo mới", "~": "Sửa", "-": "Xoá"}
DATETIME_FORMAT = "%d/%m/%Y %H:%M"
PRECISE_FORMAT = "%d/%m/%Y %H:%M:%S"  # when two times differ within the same minute
DATE_FORMAT = "%d/%m/%Y"
SYSTEM = "Hệ thống"


def has_history(model: type[models.Model]) -> bool:
    return bool(getattr(model._meta, "simple_history_manager_attribute", None))


# --- how one value reads ------------------------------------------------------------------
def _decimal(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _json(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return str(value)


def local_time(value: datetime, pattern: str = DATETIME_FORMAT) -> str:
    """A moment as the desk's timelines show it: dd/mm/yyyy hh:mm, Việt Nam time."""
    return (timezone.localtime(value) if timezone.is_aware(value) else value).strftime(pattern)


def _scalar(value: Any) -> str:
    """A value without choices: yes/no, local dates and times, decimals with a comma."""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, datetime):
        return local_time(value)
    if isinstance(value, date):
        return value.strftime(DATE_FORMAT)
    if isinstance(value, Decimal):
        return _decimal(value)
    if isinstance(value, FieldFile):
        return value.name or EMPTY
    return str(value)


def _collection(value: list | dict) -> str:
    if isinstance(value, list) and all(isinstance(v, (str, int)) for v in value):
        texts = [str(v) for v in value]
        # Sentences (a score's explanation) follow one another; names are listed with commas.
        sentences = all(t.rstrip().endswith((".", ";", ":")) for t in texts)
        return (" " if sentences else ", ").join(texts)  # e.g. fields in charge, recipients
    return _json(value)


def person_name(user: Any) -> str:
    """A user as the desk names people: the full name in Vietnamese order, else the login."""
    if user is None:
        return SYSTEM
    return user.get_full_name() or user.get_username()


def display_value(model_field: models.Field | None, value: Any, labels: dict[str, str] | None = None) -> str:
    """A stored value as a person reads it: choices (or the given ``labels``, e.g. a
    workflow's states) by label, people by full name, other rows by name, local times."""
    if isinstance(value, DeletedObject):
        return EMPTY if value.pk is None else f"(đã xoá, mã {value.pk})"
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, (list, dict)):
        return _collection(value)
    if isinstance(value, AbstractBaseUser):
        return person_name(value)
    choices = labels or (dict(model_field.flatchoices) if model_field is not None and model_field.flatchoices else {})
    if choices:
        return str(choices.get(value, value))
    return _scalar(value)


# --- the timeline ---------------------------------------------------------------------------
@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Version:
    history_id: int
    when: str
    who: str
    kind: str
    reason: str
    changes: list[Change] = field(default_factory=list)


def _model_field(model: type[models.Model], name: str) -> models.Field | None:
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _label(model: type[models.Model], name: str) -> str:
    model_field = _model_field(model, name)
    return str(capfirst(getattr(model_field, "verbose_name", name) or name))


def _field_order(model: type[models.Model]) -> dict[str, int]:
    return {f.name: index for index, f in enumerate(model._meta.get_fields())}


def _people(records: list[Any]) -> dict[int, str]:
    """Full names of the users who made ``records``: the official's name, else the account's."""
    from thanhhoa_kpi.organization.models import Official

    users = {r.history_user_id: r.history_user for r in records if r.history_user_id}
    names = dict(Official.objects.filter(user_id__in=list(users)).values_list("user_id", "full_name"))
    for user_id, user in users.items():
        if user_id not in names and user is not None:
            names[user_id] = person_name(user)
    return names


def _state_labels(model: type[models.Model], name: str, record: Any) -> dict[str, str] | None:
    """A workflow document's ``state`` holds a code of the workflow version the row runs
    on; its labels are that version's (the field has no choices of its own)."""
    if name != "state" or not getattr(model, "workflow_doctype", None):
        return None
    try:
        workflow = record.workflow
    except ObjectDoesNotExist:
        return None
    return {state.code: state.label for state in workflow.parsed().states} if workflow else None


def _custom_values(model: type[models.Model], values: dict) -> str | None:
    """Custom field values (``custom``, keyed by field code) by their fields' labels:
    "Nguồn: Kế hoạch; Số thẻ: 12". None when a value is not a plain one (then JSON)."""
    from thanhhoa_kpi.customfields.models import FieldDefinition
    from thanhhoa_kpi.customfields.registry import doctype_of

    plain = (str, int, float, bool, Decimal)
    if not all(
        isinstance(v, plain) or (isinstance(v, list) and all(isinstance(i, plain) for i in v)) for v in values.values()
    ):
        return None
    labels = dict(FieldDefinition.objects.filter(doctype=doctype_of(model) or "").values_list("key", "label"))
    shown = [(labels.get(key, key), display_value(None, value)) for key, value in values.items()]
    return "; ".join(f"{label}: {value}" for label, value in shown if value != EMPTY) or EMPTY


def _shown(model: type[models.Model], name: str, value: Any, record: Any) -> str:
    if name == "custom" and isinstance(value, dict) and value:
        custom = _custom_values(model, value)
        if custom is not None:
            return custom
    return display_value(_model_field(model, name), value, _state_labels(model, name, record))


def _precise(old: Any, new: Any, shown: tuple[str, str]) -> tuple[str, str]:
    """Two different times that read alike to the minute are shown to the second."""
    if shown[0] == shown[1] and isinstance(old, datetime) and isinstance(new, datetime) and old != new:
        return local_time(old, PRECISE_FORMAT), local_time(new, PRECISE_FORMAT)
    return shown


def _tracked(record: Any, hidden: Collection[str] = ()) -> list[models.Field]:
    return [f for f in record.tracked_fields if f.editable and not f.primary_key and f.name not in hidden]


def _initial_changes(model: type[models.Model], record: Any, hidden: Collection[str]) -> list[Change]:
    """What a row was created with: every field that holds a value (— → value)."""
    changes = []
    for tracked in _tracked(record, hidden):
        shown = _shown(model, tracked.name, _stored(record, tracked), record)
        if shown != EMPTY:
            changes.append(Change(_label(model, tracked.name), EMPTY, shown))
    return changes


def _delta_changes(model: type[models.Model], record: Any, previous: Any, hidden: Collection[str]) -> list[Change]:
    order = _field_order(model)
    delta = record.diff_against(previous, foreign_keys_are_objs=True)
    changes = sorted((c for c in delta.changes if c.field not in hidden), key=lambda c: order.get(c.field, len(order)))
    shown = [
        (c, _precise(c.old, c.new, (_shown(model, c.field, c.old, previous), _shown(model, c.field, c.new, record))))
        for c in changes
    ]
    # A value re-stamped within the same second reads the same before and after: not a change to show.
    return [Change(_label(model, c.field), old, new) for c, (old, new) in shown if old != new]


def build_timeline(
    model: type[models.Model], records: list[Any], older: Any | None, hidden: Collection[str] = ()
) -> list[Version]:
    """Versions newest first; ``records`` are newest first, ``older`` is the record just
    before the last one (from the next page), to diff the page's oldest version. Fields
    named in ``hidden`` (machine copies a person does not read) are left out."""
    names = _people(records)
    versions = []
    for index, record in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else older
        if record.history_type == "+" or previous is None:
            changes = _initial_changes(model, record, hidden)
        else:
            changes = _delta_changes(model, record, previous, hidden)
        versions.append(
            Version(
                history_id=record.history_id,
                when=local_time(record.history_date),
                who=names.get(record.history_user_id, SYSTEM) if record.history_user_id else SYSTEM,
                kind=HISTORY_TYPES.get(record.history_type, record.history_type),
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
    return versions


def _stored(record: Any, tracked: models.Field) -> Any:
    """A field of a historical row: the related row for a relation, else the raw value."""
    if not tracked.is_relation:
        return getattr(record, tracked.attname)
    try:
        return getattr(record, tracked.name)
    except ObjectDoesNotExist:  # the related row was deleted since
        return DeletedObject(tracked.related_model, getattr(record, tracked.attname))


def version_values(model: type[models.Model], record: Any, hidden: Collection[str] = ()) -> list[Change]:
    """Every tracked field of one version (label and value), for the read-only version page."""
    fields = _tracked(record, hidden)
    return [Change(_label(model, f.name), "", _shown(model, f.name, _stored(record, f), record)) for f in fields]


# --- the admin views -----------------------------------------------------------------------
class ReadOnlyHistoryMixin:
    """History views of a desk page: scoped, read-only, never a form that saves."""

    history_list_per_page = 50
    # Tracked fields a person does not read in a timeline (snapshots, codes beside their label).
    history_hidden_fields: tuple[str, ...] = ()
    history_template = "desk/history.html"
    history_version_template = "desk/history_version.html"

    def _scoped_object(self, request: HttpRequest, object_id: str) -> models.Model:
        # The page's own scoped queryset is the only way in: a row outside it is a 404,
        # whatever its history says.
        obj = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
        if obj is None:
            raise Http404("Không tìm thấy bản ghi hoặc bạn không có quyền xem.")
        if not self.has_view_or_change_permission(request, obj):  # type: ignore[attr-defined]
            raise PermissionDenied
        return obj

    def _history_context(self, request: HttpRequest, obj: models.Model, title: str) -> dict[str, Any]:
        opts = self.model._meta  # type: ignore[attr-defined]
        return {
            **self.admin_site.each_context(request),  # type: ignore[attr-defined]
            "title": title,
            "object": obj,
            "opts": opts,
            "app_label": opts.app_label,
            "has_view_permission": True,
        }

    def history_view(self, request: HttpRequest, object_id: str, extra_context: dict | None = None) -> HttpResponse:
        if request.method not in SAFE_METHODS:
            return HttpResponseNotAllowed(SAFE_METHODS)
        obj = self._scoped_object(request, object_id)
        model = self.model  # type: ignore[attr-defined]
        versions: list[Version] = []
        page = None
        if has_history(model):
            history = getattr(model, model._meta.simple_history_manager_attribute)
            records = history.filter(**{model._meta.pk.attname: obj.pk}).select_related("history_user")
            records = records.order_by("-history_date", "-history_id")
            page = Paginator(records, self.history_list_per_page).get_page(request.GET.get("p"))
            # The page's oldest version is diffed against the first one of the next page.
            older = records[page.end_index()] if page.has_next() else None
            versions = build_timeline(model, list(page.object_list), older, self.history_hidden_fields)
        context = self._history_context(request, obj, f"Lịch sử thay đổi: {obj}")
        context.update({"versions": versions, "page": page, **(extra_context or {})})
        request.current_app = self.admin_site.name  # type: ignore[attr-defined]
        return TemplateResponse(request, self.history_template, context)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        # Refused before anything is loaded: this page never writes (finding 1).
        if request.method not in SAFE_METHODS:
            return HttpResponseNotAllowed(SAFE_METHODS)
        obj = self._scoped_object(request, object_id)
        model = self.model  # type: ignore[attr-defined]
        if not has_history(model):
            raise Http404("Bản ghi này không lưu lịch sử.")
        history = getattr(model, model._meta.simple_history_manager_attribute)
        try:
            # The version must belong to this very row, not just carry its id.
            record = history.select_related("history_user").get(
                **{model._meta.pk.attname: obj.pk, "history_id": int(version_id)}
            )
        except (history.model.DoesNotExist, ValueError, TypeError):
            raise Http404("Không tìm thấy phiên bản này của bản ghi.") from None
        version = build_timeline(model, [record], record.prev_record, self.history_hidden_fields)[0]
        context = self._history_context(request, obj, f"Phiên bản ngày {version.when}: {obj}")
        values = version_values(model, record, self.history_hidden_fields)
        context.update({"version": version, "values": values, **(extra_context or {})})
        request.current_app = self.admin_site.name  # type: ignore[attr-defined]
        return TemplateResponse(request, self.history_version_template, context)


def history_views_are_read_only(model_admin: Any) -> bool:
    """True when ``model_admin`` serves history only through :class:`ReadOnlyHistoryMixin`.

    Pages of models without history and without simple-history's admin keep Django's
    read-only log view; any other page must use the mixin's views, unchanged.
    """
    cls = type(model_admin)
    uses_simple_history = hasattr(cls, "history_form_view") or has_history(model_admin.model)
    if not uses_simple_history:
        return True
    return (
        getattr(cls, "history_form_view", None) is ReadOnlyHistoryMixin.history_form_view
        and getattr(cls, "history_view", None) is ReadOnlyHistoryMixin.history_view
    )
