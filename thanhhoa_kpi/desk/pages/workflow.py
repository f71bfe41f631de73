"""Desk pages of the workflow layer: definitions and their proposals, the inbox,
notifications, job descriptions.

Host admins (appraisals, catalogues) reuse :class:`WorkflowAdminMixin` (a panel with the
actions the user may take, and the transition URL) and :class:`TransitionLogInline`
(the document's history as a read-only table).
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView
from unfold.admin import GenericTabularInline, ModelAdmin
from unfold.views import UnfoldModelAdminViewMixin

from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.core.errors import DomainError
from thanhhoa_kpi.desk.base import ScopedAdmin
from thanhhoa_kpi.desk.confirm import ask, is_confirmed
from thanhhoa_kpi.desk.history import EMPTY, local_time, person_name
from thanhhoa_kpi.desk.navigation import ACTORS, EVERYONE, HR, PROVINCE, item
from thanhhoa_kpi.organization.models import OrgUnit
from thanhhoa_kpi.workflow import governance, job_descriptions, selectors, services
from thanhhoa_kpi.workflow.definition_checks import BODY_KEYS, definition_errors
from thanhhoa_kpi.workflow.engine import InvalidDefinitionError
from thanhhoa_kpi.workflow.hosts import doctype_label, host_for, host_models
from thanhhoa_kpi.workflow.models import (
    DefinitionChange,
    JobDescription,
    Notification,
    TransitionLog,
    VersionStatus,
    WorkflowDefinition,
)
from thanhhoa_kpi.workflow.resolvers import approver_label

BADGE = "thanhhoa_kpi.desk.pages.workflow.unread_badge"


def unread_badge(request: HttpRequest) -> str | None:
    """Sidebar badge: the number of unread notifications (nothing when there are none)."""
    count = selectors.unread_notification_count(user=request.user)
    return str(count) if count else None


# ----------------------------------------------------------------------- definitions


class IndentedJSONField(forms.JSONField):
    """Shows the JSON as an HR admin would write it: indented, Vietnamese unescaped."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, ensure_ascii=False, indent=2)


def form_domain_errors(form: forms.Form, error: DomainError, prefix_field: str = "") -> None:
    """A service's refusal on the form: each named field on its field, the rest on top."""
    if not error.errors:
        form.add_error(None, error.message)
    for problem in error.errors:
        name = problem.field.split(".", 1)[0]
        form.add_error(name if name in form.fields else (prefix_field or None), problem.message)


class DefinitionForm(forms.ModelForm):
    """Saving calls :func:`services.workflow_definition_save` in ``clean``: a refusal stays
    on the form, and what is saved is a proposal (``saved``), never the edited row."""

    request: HttpRequest
    saved: WorkflowDefinition | None = None
    definition = IndentedJSONField(
        label="Định nghĩa (JSON)",
        widget=forms.Textarea(attrs={"rows": 28, "class": "font-mono text-xs", "spellcheck": "false"}),
        help_text="Gồm «states» (code, label, initial, terminal, editable) và «transitions» (action, label, from, "
        "to, approvers, guards, comment_required). Người thực hiện: SUBJECT, UNIT_HEAD, FIELD_DEPUTY, "
        "PARENT_UNIT_HEAD, BLOC_AUTHORITY hoặc ROLE:<vai trò>.",
    )

    class Meta:
        model = WorkflowDefinition
        fields = ["code", "name", "doctype", "definition"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A workflow keeps its code and document type; a new kind is a new workflow. (A
        # read-only page, for a proposal or a former version, has no fields at all.)
        for name in ("code", "doctype"):
            if self.instance.pk and name in self.fields:
                self.fields[name].disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        for error in definition_errors(
            code=data.get("code", ""), name=data.get("name", ""), doctype=data.get("doctype", ""),
            definition=data.get("definition"),
        ):  # fmt: skip
            target = error.field if error.field in ("code", "name", "doctype") else "definition"
            self.add_error(target, error.message)
        if not self.instance.pk and WorkflowDefinition.objects.filter(code=data.get("code")).exists():
            self.add_error(
                "code", "Mã quy trình đã tồn tại; hãy mở quy trình đó để sửa (sẽ tạo phiên bản mới nếu cần)."
            )
        if not self.errors:
            try:
                self.saved = services.workflow_definition_save(
                    user=self.request.user, code=data["code"], name=data["name"], doctype=data["doctype"],
                    definition=data["definition"],
                )  # fmt: skip
            except DomainError as error:
                form_domain_errors(self, error, "definition")
        return data

    def validate_unique(self) -> None:
        # A change is saved as the next version (services.workflow_definition_save), so
        # (code, version) is checked there, not against the row being edited.
        pass


def _flag(value: bool) -> str:
    return "✔" if value else ""


def _table(headers: list[str], rows: list[tuple[Any, ...]]) -> SafeString:
    head = format_html_join("", "<th class='px-2 py-1 text-left border-b'>{}</th>", ((h,) for h in headers))
    cell = "<td class='px-2 py-1 align-top border-b'>{}</td>"
    body = format_html_join("", "<tr>{}</tr>", ((format_html_join("", cell, ((c,) for c in row)),) for row in rows))
    return format_html(
        "<div class='kpi-scroll mb-4'><table class='w-full text-sm'><thead><tr>{}</tr></thead><tbody>{}</tbody>"
        "</table></div>",
        head,
        body,
    )


def definition_preview(row: WorkflowDefinition) -> SafeString:
    """States and transitions as two readable tables (labels, approvers in words)."""
    try:
        parsed = row.parsed()
    except InvalidDefinitionError as invalid:
        return format_html("<p class='text-red-600'>Định nghĩa chưa đúng cấu trúc: {}</p>", invalid)
    labels = {state.code: state.label for state in parsed.states}
    states = [(s.code, s.label, _flag(s.initial), _flag(s.terminal), _flag(s.editable)) for s in parsed.states]
    transitions = [
        (
            f"{t.label} ({t.action})",
            ", ".join(labels.get(s, s) for s in t.sources),
            labels.get(t.target, t.target),
            "; ".join(approver_label(a) for a in t.approvers),
            ", ".join(t.guards),
            _flag(t.comment_required),
        )
        for t in parsed.transitions
    ]
    return format_html(
        "{}{}",
        _table(["Mã", "Trạng thái", "Khởi đầu", "Kết thúc", "Được sửa"], states),
        _table(["Thao tác", "Từ", "Đến", "Người thực hiện", "Điều kiện", "Bắt buộc ý kiến"], transitions),
    )


# ------------------------------------------------------------ governed versions


def _flatten(value: Any, path: str = "") -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [pair for key in value for pair in _flatten(value[key], f"{path}.{key}" if path else str(key))]
    if isinstance(value, list):
        return [pair for index, item in enumerate(value) for pair in _flatten(item, f"{path}[{index}]")]
    return [(path, value)]


_ABSENT = object()


def _shown(value: Any) -> str:
    return "—" if value is _ABSENT else json.dumps(value, ensure_ascii=False)


def version_changes(row: Any) -> list[tuple[str, str, str]]:
    """``(where, in force, proposed)`` for every value a version changes from the one in force."""
    current = type(row)._default_manager.filter(code=row.code, is_current=True).exclude(pk=row.pk).first()
    old = dict(_flatten({name: getattr(current, name) for name in row.governed_fields})) if current else {}
    new = dict(_flatten({name: getattr(row, name) for name in row.governed_fields}))
    keys = list(new) + [key for key in old if key not in new]
    return [
        (key, _shown(old.get(key, _ABSENT)), _shown(new.get(key, _ABSENT)))
        for key in keys
        if old.get(key, _ABSENT) != new.get(key, _ABSENT)
    ]


def changes_table(row: Any) -> SafeString | str:
    changes = version_changes(row)
    if not changes:
        return "Không có khác biệt so với phiên bản đang áp dụng."
    return _table(["Mục", "Đang áp dụng", "Đề xuất"], changes)


class GovernedVersionAdmin:
    """Desk rules of a province-wide versioned definition (workflow, rule set).

    Only province-level admins add or edit (the service refuses everyone else too); an
    edit of the version in force is saved as a proposal; proposals and former versions
    are read-only, and nothing is deleted (versions are history). The proposal itself
    is decided on its page (:class:`DefinitionChangeAdmin`).
    """

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return super().has_add_permission(request, *args) and access.is_province_admin(request.user)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not super().has_change_permission(request, obj):  # type: ignore[misc]
            return False
        return obj is None or (obj.is_current and access.is_province_admin(request.user))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Đề xuất")
    def proposal(self, obj: Any) -> SafeString | str:
        change = governance.proposal_of(obj) if obj.pk else None
        if change is None:
            return "Phiên bản nạp từ dữ liệu gốc (không qua đề xuất)." if obj.pk else ""
        url = reverse("admin:workflow_definitionchange_change", args=[change.pk])
        who = change.proposer.get_full_name() or change.proposer.username
        return format_html(
            "{} — đề xuất bởi {} · <a class='text-primary-600' href='{}'>Mở đề xuất (phê duyệt / từ chối)</a>",
            change.workflow_state_label(), who, url,
        )  # fmt: skip

    @admin.display(description="Thay đổi so với phiên bản đang áp dụng")
    def changes(self, obj: Any) -> SafeString | str:
        if obj.pk is None or obj.status != VersionStatus.PROPOSED:
            return "—"
        return changes_table(obj)

    def adopt_proposal(self, request: HttpRequest, obj: Any, saved: Any) -> None:
        """Give the admin's object the saved row (it logs and redirects with it), and say what happened."""
        for model_field in obj._meta.concrete_fields:
            setattr(obj, model_field.attname, getattr(saved, model_field.attname))
        if saved.status == VersionStatus.PROPOSED:
            self.message_user(  # type: ignore[attr-defined]
                request,
                f"Đã gửi đề xuất phiên bản {saved.version}. Phiên bản này chỉ có hiệu lực khi một quản trị cấp "
                "tỉnh khác phê duyệt; đến lúc đó tài liệu và phiếu vẫn theo phiên bản đang áp dụng.",
                level=messages.WARNING,
            )
        else:
            self.message_user(request, "Không có thay đổi nào so với phiên bản đang áp dụng.", level=messages.INFO)  # type: ignore[attr-defined]


class WorkflowDefinitionAdmin(GovernedVersionAdmin, ScopedAdmin):
    form = DefinitionForm
    list_display = ["name", "code", "version", "doctype", "status", "is_current"]
    list_filter = ["doctype", "status", "is_current"]
    search_fields = ["code", "name"]
    readonly_fields = ["version", "status", "is_current", "proposal", "changes", "preview"]
    fieldsets = [
        (None, {"fields": ["code", "name", "doctype", "version", "status", "is_current", "proposal"]}),
        ("Thay đổi đề xuất", {"fields": ["changes"]}),
        ("Xem trước", {"fields": ["preview"]}),
        ("Định nghĩa", {"fields": ["definition"]}),
    ]

    @admin.display(description="Các trạng thái và thao tác")
    def preview(self, obj: WorkflowDefinition) -> SafeString | str:
        return definition_preview(obj) if obj.pk else "Lưu để xem trước."

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"definition": {key: [] for key in BODY_KEYS}}

    def save_model(self, request: HttpRequest, obj: WorkflowDefinition, form: Any, change: bool) -> None:
        # The form's clean already called services.workflow_definition_save.
        self.adopt_proposal(request, obj, form.saved)


# ---------------------------------------------------------------- document helpers


class TransitionLogInline(GenericTabularInline):
    """A host admin's read-only history table: add it to the host's ``inlines``."""

    model = TransitionLog
    extra = 0
    can_delete = False
    tab = True
    hide_title = True  # each row's title would repeat its columns
    verbose_name_plural = "Lịch sử xử lý"
    fields = ["when", "actor_name", "action_label", "from_label", "to_label", "comment"]
    readonly_fields = fields
    empty_value_display = EMPTY

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("actor__official", "workflow")

    @admin.display(description="Thời điểm")
    def when(self, obj: TransitionLog) -> str:
        return local_time(obj.created_at)

    @admin.display(description="Người thực hiện")
    def actor_name(self, obj: TransitionLog) -> str:
        return person_name(obj.actor)

    @admin.display(description="Từ trạng thái")
    def from_label(self, obj: TransitionLog) -> str:
        return obj.state_label(obj.from_state)

    @admin.display(description="Đến trạng thái")
    def to_label(self, obj: TransitionLog) -> str:
        return obj.state_label(obj.to_state)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class WorkflowAdminMixin:
    """For host admins: the workflow panel above the form and the transition URL.

    The panel (``workflow/desk/panel.html``) lists the actions open to the user with a
    comment box, in a form of its own posting to ``<id>/transition/``.
    """

    change_form_outer_before_template = "workflow/desk/panel.html"

    def get_urls(self) -> list[Any]:
        opts = self.model._meta  # type: ignore[attr-defined]
        view = self.admin_site.admin_view(self.transition_view)  # type: ignore[attr-defined]
        name = f"{opts.app_label}_{opts.model_name}_transition"
        return [path("<path:object_id>/transition/", view, name=name), *super().get_urls()]  # type: ignore[misc]

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None) -> Any:
        document = self.get_object(request, object_id)  # type: ignore[attr-defined]
        if document is not None:
            opts = self.model._meta  # type: ignore[attr-defined]
            extra_context = {
                **(extra_context or {}),
                "workflow_document": document,
                "workflow_actions": services.available_actions(document=document, user=request.user),
                "workflow_url": reverse(
                    f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_transition",  # type: ignore[attr-defined]
                    args=[document.pk],
                ),
            }
        return super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]

    def transition_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        document = self.get_object(request, object_id)  # type: ignore[attr-defined]
        if document is None or request.method != "POST":
            return HttpResponseRedirect("../")
        try:
            log = services.workflow_transition(
                document=document,
                action=request.POST.get("action", ""),
                user=request.user,
                comment=request.POST.get("comment", ""),
                expected_state=request.POST.get("state") or None,
            )
        except DomainError as error:
            self.report_domain_error(request, error)  # type: ignore[attr-defined]
        else:
            self.message_user(request, f"Đã thực hiện «{log.action_label}».", level=messages.SUCCESS)  # type: ignore[attr-defined]
        return HttpResponseRedirect(document.workflow_desk_url() or "../")


class StateFilter(admin.SimpleListFilter):
    title = "Trạng thái"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return _state_choices(getattr(model_admin.model, "workflow_doctype", None))

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(state=self.value()) if self.value() else queryset


def _state_choices(doctype: str | None) -> list[tuple[str, str]]:
    rows = WorkflowDefinition.objects.filter(**({"doctype": doctype} if doctype else {}))
    found: dict[str, str] = {}
    for row in rows:
        for state in row.parsed().states:
            found.setdefault(state.code, state.label)
    return sorted(found.items(), key=lambda pair: pair[1])


# ----------------------------------------------------------------- proposals


class DefinitionChangeAdmin(WorkflowAdminMixin, ScopedAdmin):
    """Proposals of new versions: who proposed what, the changes, approve / reject.

    Read-only except for the workflow panel; every action asks for a confirmation
    (a checkbox checked on the server, and the browser's confirm dialog).
    """

    change_form_outer_before_template = "workflow/desk/proposal_panel.html"
    list_display = ["summary", "kind", "proposer", "state_label", "created_at"]
    list_filter = [StateFilter, "content_type"]
    list_select_related = ["proposer", "workflow", "content_type"]
    search_fields = ["summary"]
    fields = ["summary", "kind", "proposer", "created_at", "state_label", "version_link", "changes"]
    readonly_fields = fields
    inlines = [TransitionLogInline]

    @admin.display(description="Loại quy định")
    def kind(self, obj: DefinitionChange) -> str:
        model = obj.content_type.model_class()
        return str(model._meta.verbose_name) if model else ""

    @admin.display(description="Trạng thái", ordering="state")
    def state_label(self, obj: DefinitionChange) -> str:
        return obj.workflow_state_label()

    @admin.display(description="Phiên bản đề xuất")
    def version_link(self, obj: DefinitionChange) -> SafeString | str:
        target = obj.target
        if target is None:
            return ""
        opts = target._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[target.pk])
        status = target.get_status_display()
        return format_html("<a class='text-primary-600' href='{}'>{}</a> ({})", url, target, status)

    @admin.display(description="Thay đổi so với phiên bản đang áp dụng")
    def changes(self, obj: DefinitionChange) -> SafeString | str:
        target = obj.target
        return changes_table(target) if target is not None else ""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # decided through the workflow panel only

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def transition_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method == "POST" and request.POST.get("confirm") != "yes":
            messages.error(request, "Hãy đánh dấu «Tôi đã đối chiếu nội dung thay đổi» trước khi thực hiện.")
            return HttpResponseRedirect("../")
        return super().transition_view(request, object_id)


# ------------------------------------------------------------------- job descriptions


class JobDescriptionForm(forms.ModelForm):
    class Meta:
        model = JobDescription
        fields = ["position", "unit", "duties", "output_products", "working_conditions", "deadline"]


class JobDescriptionAdmin(WorkflowAdminMixin, ScopedAdmin):
    form = JobDescriptionForm
    list_display = ["__str__", "position", "unit", "state_label", "author", "updated_at"]
    list_filter = [StateFilter, "unit__bloc"]
    search_fields = ["position__name", "position__code", "unit__name", "duties"]
    list_select_related = ["position", "unit", "author", "workflow"]
    autocomplete_fields = ["position", "unit"]
    inlines = [TransitionLogInline]

    @admin.display(description="Trạng thái", ordering="state")
    def state_label(self, obj: JobDescription) -> str:
        return obj.workflow_state_label()

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "unit" and field is not None:
            field.queryset = job_descriptions.draftable_units(user=request.user, units=OrgUnit.objects.all())
        return field

    def has_add_permission(self, request: HttpRequest) -> bool:
        return (
            super().has_add_permission(request)
            and job_descriptions.draftable_units(user=request.user, units=OrgUnit.objects.all()).exists()
        )

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if not request.user.has_perm("workflow.change_jobdescription"):
            return False
        return obj is None or job_descriptions.may_edit(user=request.user, job_description=obj)  # type: ignore[arg-type]

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if not request.user.has_perm("workflow.delete_jobdescription"):
            return False
        return obj is None or job_descriptions.may_delete(user=request.user, job_description=obj)  # type: ignore[arg-type]

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # Deleting goes one by one through the service: only untouched drafts may go.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request: HttpRequest, obj: JobDescription, form: Any, change: bool) -> None:
        fields = {name: form.cleaned_data[name] for name in JobDescriptionForm.Meta.fields}
        if change:
            saved = job_descriptions.job_description_update(user=request.user, job_description=obj, **fields)
        else:
            saved = job_descriptions.job_description_create(user=request.user, **fields)
        obj.pk, obj.workflow, obj.state = saved.pk, saved.workflow, saved.state

    def delete_model(self, request: HttpRequest, obj: JobDescription) -> None:
        job_descriptions.job_description_delete(user=request.user, job_description=obj)


# ------------------------------------------------------------------ inbox, notifications


def _selected(request: HttpRequest) -> dict[str, list[int]]:
    chosen: dict[str, list[int]] = {}
    for value in request.POST.getlist("selected"):
        doctype, _, pk = value.partition(":")
        if pk.isdigit():
            chosen.setdefault(doctype, []).append(int(pk))
    return chosen


class InboxView(UnfoldModelAdminViewMixin, TemplateView):
    """Hộp việc cần xử lý: what awaits the user, with bulk actions."""

    title = "Hộp việc cần xử lý"
    permission_required = ()
    template_name = "workflow/desk/inbox.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        doctype = self.request.GET.get("doctype") or None
        state = self.request.GET.get("state") or None
        due, order = self.request.GET.get("due", ""), self.request.GET.get("order", "")
        items = selectors.inbox_for(user=self.request.user, doctype=doctype, state=state)
        items = selectors.inbox_due(items, due=due, order=order)
        actions = {option.action: option for item in items for option in item.actions}
        context = super().get_context_data(
            **kwargs,
            items=items,
            bulk_actions=sorted(actions.values(), key=lambda option: option.label),
            doctypes=[(m.workflow_doctype, doctype_label(m.workflow_doctype)) for m in host_models()],
            states=_state_choices(doctype),
            due_filters=selectors.DUE_FILTERS,
            current={"doctype": doctype or "", "state": state or "", "due": due, "order": order},
        )
        # Headed by its own title like the other personal pages, not by the notifications
        # model's breadcrumbs (which a phone cuts to "Quy trình p… › Thô… › Hộp việc…").
        context.pop("model_admin", None)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The page's form only asks (:func:`_bulk_question`); the question's form acts."""
        action, comment = request.POST.get("action", ""), request.POST.get("comment", "")
        chosen = _selected(request)
        if not action or not chosen:
            messages.warning(request, "Hãy chọn tài liệu và thao tác cần thực hiện.")
            return HttpResponseRedirect(request.get_full_path())
        if not is_confirmed(request):
            return _bulk_question(request, self.model_admin, action=action, comment=comment, chosen=chosen)
        done = 0
        for doctype, ids in chosen.items():
            host = host_for(doctype)
            if host is None:
                continue
            documents = access.scoped(host._default_manager.filter(pk__in=ids), request.user)
            outcome = services.workflow_transition_many(
                documents=documents, action=action, user=request.user, comment=comment
            )
            done += len(outcome.succeeded)
            for document, error in outcome.failed:
                messages.error(request, f"«{document.workflow_title()}»: {error.message}")
        if done:
            messages.success(request, f"Đã xử lý {done} tài liệu.")
        return HttpResponseRedirect(request.get_full_path())


def _bulk_question(
    request: HttpRequest, model_admin: Any, *, action: str, comment: str, chosen: dict[str, list[int]]
) -> HttpResponse:
    """Name the action and the documents it will be applied to before anything moves."""
    keys = {(doctype, pk) for doctype, ids in chosen.items() for pk in ids}
    selected = [item for item in selectors.inbox_for(user=request.user) if (item.doctype, item.document.pk) in keys]
    able = [item for item in selected if any(option.action == action for option in item.actions)]
    if not able:
        messages.warning(request, "Không tài liệu nào đã chọn đang chờ bạn thực hiện thao tác này.")
        return HttpResponseRedirect(request.get_full_path())
    option = next(option for option in able[0].actions if option.action == action)
    if option.comment_required and not comment.strip():
        messages.warning(request, f"«{option.label}» cần ghi ý kiến; hãy nhập ý kiến rồi thực hiện lại.")
        return HttpResponseRedirect(request.get_full_path())
    skipped = len(keys) - len(able)
    detail = f"Ý kiến: {comment}" if comment.strip() else ""
    if skipped:
        note = f"{skipped} tài liệu đã chọn không chờ thao tác này, được giữ nguyên."
        detail = f"{detail} {note}".strip()
    return ask(
        request, model_admin, title=f"Xác nhận «{option.label}»", confirm_label=f"{option.label} {len(able)} tài liệu",
        question=f"Thực hiện «{option.label}» cho {len(able)} tài liệu dưới đây?", detail=detail,
        back_url=request.get_full_path(), items=[f"{item.doctype_label.capitalize()} «{item.title}»" for item in able],
        hidden=[("action", action), ("comment", comment),
                *(("selected", f"{item.doctype}:{item.document.pk}") for item in able)],
    )  # fmt: skip


class NotificationAdmin(ModelAdmin):
    """The user's own notifications; also hosts the inbox page's URL."""

    list_display = ["title", "body", "created_at", "is_read", "open_link"]
    list_filter = [("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "body"]
    fields = ["title", "body", "created_at", "read_at", "open_link"]
    actions = ["mark_read"]
    list_per_page = 50

    def get_urls(self) -> list[Any]:
        inbox = self.admin_site.admin_view(InboxView.as_view(model_admin=self))
        opened = self.admin_site.admin_view(require_safe(self.open_view))
        return [
            path("inbox/", inbox, name="workflow_inbox"),
            path("<int:pk>/open/", opened, name="workflow_notification_open"),
            *super().get_urls(),
        ]

    def open_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Follow a notification to its page, marking it read (as opening it in a mail or a phone does)."""
        notification = get_object_or_404(self.get_queryset(request), pk=pk)
        services.notifications_mark_read(user=request.user, ids=[notification.pk])
        target = notification.url
        if not target or not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
            return HttpResponseRedirect(reverse("admin:workflow_notification_change", args=[notification.pk]))
        return HttpResponseRedirect(target)

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None):
        # Reading a notification is opening it: it no longer counts in the sidebar's badge.
        mine = object_id.isdigit() and self.get_queryset(request).filter(pk=int(object_id)).exists()
        if request.method == "GET" and mine:
            services.notifications_mark_read(user=request.user, ids=[int(object_id)])
        return super().change_view(request, object_id, form_url, extra_context)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return selectors.notifications_for(user=request.user)

    @admin.display(description="Đã đọc", boolean=True)
    def is_read(self, obj: Notification) -> bool:
        return obj.read_at is not None

    @admin.display(description="Trang liên quan")
    def open_link(self, obj: Notification) -> SafeString | str:
        if not obj.url:
            return ""
        opened = reverse("admin:workflow_notification_open", args=[obj.pk])
        return format_html('<a class="text-primary-600 kpi-tap" href="{}">Mở</a>', opened)

    @admin.action(description="Đánh dấu đã đọc")
    def mark_read(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = services.notifications_mark_read(user=request.user, ids=queryset.values_list("pk", flat=True))
        self.message_user(request, f"Đã đánh dấu {count} thông báo là đã đọc.", level=messages.SUCCESS)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


NAVIGATION = [
    (
        1,
        "Việc của tôi",
        [
            item(
                "Hộp việc cần xử lý",
                "inbox",
                "workflow_notification",
                "workflow.view_notification",
                who=ACTORS,
                url="admin:workflow_inbox",
                rank=30,
            ),
            {
                **item(
                    "Thông báo",
                    "notifications",
                    "workflow_notification",
                    "workflow.view_notification",
                    who=EVERYONE,
                    rank=31,
                ),
                "badge": BADGE,
            },
        ],
    ),
    (
        30,
        "Vị trí việc làm và năng lực",
        [
            item(
                "Bản mô tả vị trí việc làm",
                "description",
                "workflow_jobdescription",
                "workflow.view_jobdescription",
                who=[HR],
                rank=20,
            )
        ],
    ),
    (
        86,
        "Cấu hình",
        [
            item(
                "Quy trình phê duyệt",
                "account_tree",
                "workflow_workflowdefinition",
                "workflow.view_workflowdefinition",
                who=[HR],
                rank=10,
            ),
            item(
                "Đề xuất thay đổi quy định",
                "approval",
                "workflow_definitionchange",
                "workflow.view_definitionchange",
                who=[PROVINCE],
                rank=20,
            ),
        ],
    ),
]


def register(site: Any) -> None:
    site.register(WorkflowDefinition, WorkflowDefinitionAdmin)
    site.register(DefinitionChange, DefinitionChangeAdmin)
    site.register(JobDescription, JobDescriptionAdmin)
    site.register(Notification, NotificationAdmin)
