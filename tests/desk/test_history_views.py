"""The desk's history pages are read-only, scoped timelines (issue 9, findings 1 and 2).

simple-history's per-version form saved what was posted back and loaded rows without the
page's scope: an official raised their reviewed line, the outsider made themselves HEAD.
Every page with history now serves :mod:`thanhhoa_kpi.desk.history` instead.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.forms.models import model_to_dict
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from tests.factories.agency import agency_row, unit_rules_row
from tests.factories.appraisals import month_period, opened, prepare_appraisals
from tests.factories.reports import ensure_report_roles, make_field
from tests.factories.workflow import job_description, prepare_workflows
from tests.factories.worklogs import assign, log, work_cast
from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.competencies.assessments import competency_assessment_open
from thanhhoa_kpi.competencies.models import Competency, CompetencyFramework, PositionRequirement
from thanhhoa_kpi.core.actors import SYSTEM
from thanhhoa_kpi.customfields.models import BuiltinOverride
from thanhhoa_kpi.desk.history import ReadOnlyHistoryMixin, has_history, history_views_are_read_only
from thanhhoa_kpi.desk.sites import DeskSite, desk_site
from thanhhoa_kpi.integrations.models import InboundEvent, IntegrationSource, MatchingRule
from thanhhoa_kpi.organization.models import LeavePeriod, Official, OfficialAssignment
from thanhhoa_kpi.reports.models import ReportSchedule, SavedReport
from thanhhoa_kpi.workflow.models import WorkflowDefinition
from thanhhoa_kpi.worklogs.models import PlausibilityThresholds, PublicHoliday

pytestmark = pytest.mark.django_db

PERSONAS = (
    "official", "colleague", "deputy", "head", "authority", "hr", "viewer", "outsider", "province_hr", "sysadmin",
)  # fmt: skip
LEADERSHIP_LABEL = "Chức vụ lãnh đạo"
HISTORY_ADMINS = sorted(
    ((model, admin) for model, admin in desk_site._registry.items() if has_history(model)),
    key=lambda pair: pair[0]._meta.label,
)


# ------------------------------------------------------------------ a row of every model with history
def build_world(cast):
    """At least one row (and so one historical row) of every model with a desk page with history."""
    prepare_appraisals()
    prepare_workflows()
    ensure_report_roles()
    work = work_cast(cast)
    line = log(cast.official, work.culture, "2")
    assign(cast.head, cast.official_of(cast.official), work.sport, "3")
    opened(cast, month_period(cast))
    agency_row(cast.team, 2025, "85")
    unit_rules_row(cast.team)
    framework = CompetencyFramework.objects.create(code="KNL", name="Khung năng lực", effective_from=date(2026, 1, 1))
    talk = Competency.objects.create(framework=framework, code="NL01", name="Giao tiếp", kind="CHUNG")
    PositionRequirement.objects.create(framework=framework, position=cast.position, competency=talk, required_level=2)
    competency_assessment_open(user=SYSTEM, year=timezone.localdate().year, unit=cast.team)
    make_field("so_the", "text")
    BuiltinOverride.objects.create(doctype="official", field_name="phone", label="Điện thoại di động")
    me = cast.official_of(cast.official)
    LeavePeriod.objects.create(official=me, kind="SICK", start_date=date(2026, 2, 2), end_date=date(2026, 2, 3))
    report = SavedReport.objects.create(name="Báo cáo của tôi", doctype="official", owner=cast.official)
    ReportSchedule.objects.create(report=report, recipients=["official@thanhhoa.gov.vn"], owner=cast.official)
    job_description(cast)
    _proposal(cast)
    PublicHoliday.objects.get_or_create(date=date(2026, 9, 2), defaults={"name": "Quốc khánh"})
    PlausibilityThresholds.objects.create()
    source = IntegrationSource.objects.create(code="vpdt", name="Văn phòng điện tử", kind="E_OFFICE")
    rule = MatchingRule.objects.create(source=source, key="CONG_VAN", catalogue_item=work.culture)
    InboundEvent.objects.create(
        source=source, event_id="e-1", body_sha256="0" * 64, document_number="12/UBND", document_kind="VAN_BAN_DI",
        type_code="CONG_VAN", date=date(2026, 9, 3), status="PROPOSED", official=me, catalogue_item=work.culture,
        rule=rule, minutes=30,
    )  # fmt: skip
    return line


def _proposal(cast):
    """A proposed definition change (issue 9's two-person rule), made straight as a fixture would."""
    try:
        change = apps.get_model("workflow", "DefinitionChange")
    except LookupError:  # not in this tree yet
        return
    definition = WorkflowDefinition.objects.order_by("pk").first()
    change.objects.create(
        content_type=ContentType.objects.get_for_model(WorkflowDefinition), object_id=definition.pk,
        summary="Đề xuất thử", proposer=cast.province_hr, workflow=definition, state="DRAFT",
    )  # fmt: skip


def _post_value(value):
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple) and value and all(isinstance(v, models.Model) for v in value):
        return [v.pk for v in value]  # many-to-many: one value per related row
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    return str(value)


def form_data(obj, **changes):
    """What simple-history's per-version form would have posted: the row's values, changed."""
    values = {**model_to_dict(obj), **changes}
    return {name: _post_value(value) for name, value in values.items()}


def snapshot(obj):
    """The row as stored and the number of its versions."""
    fresh = type(obj)._default_manager.get(pk=obj.pk)
    return model_to_dict(fresh), fresh.history.count()


def history_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])


def version_url(obj, record):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[obj.pk, record.history_id])


def scoped_rows(model_admin, user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return model_admin.get_queryset(request)


# ------------------------------------------------------------------ no page can serve the old views
def _unwrap(view):
    while hasattr(view, "__wrapped__"):
        view = view.__wrapped__
    return getattr(view, "__func__", view)


def test_every_desk_page_with_history_serves_the_read_only_views():
    assert HISTORY_ADMINS, "the desk has pages with history"
    for model, model_admin in desk_site._registry.items():
        assert history_views_are_read_only(model_admin), model._meta.label
        for pattern in model_admin.urls:
            name = getattr(pattern, "name", "") or ""
            if name.endswith("_simple_history"):
                assert _unwrap(pattern.callback) is ReadOnlyHistoryMixin.history_form_view, name
            elif name.endswith("_history") and has_history(model):
                assert _unwrap(pattern.callback) is ReadOnlyHistoryMixin.history_view, name


def test_the_desk_refuses_a_page_that_brings_back_simple_historys_form():
    class WritableHistoryAdmin(SimpleHistoryAdmin):
        pass

    site = DeskSite(name="probe")
    with pytest.raises(ImproperlyConfigured):
        site.register(LeavePeriod, WritableHistoryAdmin)
    assert LeavePeriod not in site._registry

    class OverridingAdmin(ReadOnlyHistoryMixin, SimpleHistoryAdmin):
        def history_form_view(self, request, object_id, version_id, extra_context=None):
            return SimpleHistoryAdmin.history_form_view(self, request, object_id, version_id, extra_context)

    with pytest.raises(ImproperlyConfigured):
        site.register(LeavePeriod, OverridingAdmin)
    assert LeavePeriod not in site._registry


# ------------------------------------------------------------------ every page, every persona
@pytest.mark.parametrize("persona", PERSONAS)
def test_posting_a_version_form_is_refused_and_writes_nothing(persona, cast, client):
    build_world(cast)
    client.force_login(getattr(cast, persona))
    for model, _admin in HISTORY_ADMINS:
        obj = model._default_manager.order_by("pk").first()
        assert obj is not None, f"build_world makes no {model._meta.label}: add one so its history page is tested"
        record = obj.history.order_by("-history_id").first()
        before = snapshot(obj)
        response = client.post(version_url(obj, record), form_data(obj))
        assert response.status_code in (403, 405), (model._meta.label, response.status_code)
        assert snapshot(obj) == before, model._meta.label
        response = client.post(history_url(obj), form_data(obj))
        assert response.status_code in (403, 405), (model._meta.label, response.status_code)
        assert snapshot(obj) == before, model._meta.label


@pytest.mark.parametrize("persona", PERSONAS)
def test_history_of_a_row_outside_the_scope_is_not_found(persona, cast, client):
    build_world(cast)
    user = getattr(cast, persona)
    client.force_login(user)
    checked = 0
    for model, model_admin in HISTORY_ADMINS:
        visible = scoped_rows(model_admin, user).values("pk")
        hidden = model._default_manager.exclude(pk__in=visible).order_by("pk").first()
        if hidden is None:
            continue
        record = hidden.history.order_by("-history_id").first()
        assert client.get(history_url(hidden)).status_code == 404, model._meta.label
        assert client.get(version_url(hidden, record)).status_code == 404, model._meta.label
        checked += 1
    if not access.scope_for(user).everything:
        assert checked, f"{persona} sees every row: nothing out of scope was tried"


@pytest.mark.parametrize("persona", PERSONAS)
def test_history_of_a_row_in_scope_is_a_timeline(persona, cast, client):
    build_world(cast)
    user = getattr(cast, persona)
    client.force_login(user)
    for model, model_admin in HISTORY_ADMINS:
        request = RequestFactory().get("/admin/")
        request.user = user
        obj = scoped_rows(model_admin, user).order_by("pk").first()
        if obj is None or not model_admin.has_view_or_change_permission(request, obj):
            continue
        response = client.get(history_url(obj))
        assert response.status_code == 200, model._meta.label
        assert response.context["versions"], model._meta.label
        assert "Lịch sử thay đổi" in response.content.decode()


# ------------------------------------------------------------------ the timeline itself
def test_the_timeline_shows_labels_names_local_time_and_old_to_new_values(cast, client):
    posting = OfficialAssignment.objects.get(official__user=cast.official)
    posting._history_user = cast.hr
    posting.unit = cast.ward
    posting.leadership_role = "DEPUTY"
    posting.save()
    me = Official.objects.get(user=cast.official)
    me._history_user = cast.head
    me.phone = "0912 345 678"
    me.save()

    client.force_login(cast.hr)
    response = client.get(history_url(posting))
    assert response.status_code == 200
    html = response.content.decode()
    version = response.context["versions"][0]
    assert version.kind == "Sửa"
    assert version.who == "hr"  # an account without an official record: its user name
    labels = {change.label: (change.old, change.new) for change in version.changes}
    assert labels[LEADERSHIP_LABEL] == ("Không giữ chức vụ", "Cấp phó")  # choices by their label
    assert labels["Đơn vị"] == (str(cast.team), str(cast.ward))
    when = timezone.localtime(posting.history.latest().history_date).strftime("%d/%m/%Y %H:%M")
    assert version.when == when
    assert when in html and str(cast.team) in html and str(cast.ward) in html and "→" in html

    response = client.get(history_url(me))
    version = response.context["versions"][0]
    assert version.who == "Phạm Thị Dung"  # the head's full name, from their official record
    assert [(c.label, c.new) for c in version.changes] == [("Điện thoại", "0912 345 678")]
    assert response.context["versions"][-1].kind == "Tạo mới"


def test_the_timeline_times_are_local_not_utc(cast, client):
    me = Official.objects.get(user=cast.official)
    record = me.history.latest()
    utc_evening = datetime(2026, 3, 1, 20, 30, tzinfo=UTC)
    type(record).objects.filter(pk=record.pk).update(history_date=utc_evening)
    client.force_login(cast.hr)
    versions = client.get(history_url(me)).context["versions"]
    assert versions[0].when == "02/03/2026 03:30"  # 20:30 UTC is 03:30 the next day in Hà Nội


def test_the_oldest_version_of_a_page_is_compared_with_the_next_page(cast, client, monkeypatch):
    me = Official.objects.get(user=cast.official)
    for phone in ("0901", "0902", "0903"):
        me.phone = phone
        me.save()
    monkeypatch.setattr(desk_site._registry[Official], "history_list_per_page", 2)
    client.force_login(cast.hr)
    first = client.get(history_url(me)).context
    assert [[(c.label, c.old, c.new) for c in v.changes] for v in first["versions"]] == [
        [("Điện thoại", "0902", "0903")],
        [("Điện thoại", "0901", "0902")],  # diffed against the first version of page 2
    ]
    second = client.get(history_url(me), {"p": 2}).context["versions"]
    assert second[0].changes[0].new == "0901" and second[-1].kind == "Tạo mới"


def test_a_version_page_is_read_only_and_belongs_to_its_row(cast, client):
    posting = OfficialAssignment.objects.get(official__user=cast.official)
    other = OfficialAssignment.objects.get(official__user=cast.colleague)
    client.force_login(cast.hr)
    response = client.get(version_url(posting, posting.history.latest()))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'action="{version_url(posting, posting.history.latest())}"' not in html
    assert 'name="_save"' not in html and 'name="_change_history"' not in html
    assert any(v.label == "Đơn vị" and v.new == str(cast.team) for v in response.context["values"])
    # another row's version under this row's address
    assert client.get(version_url(posting, other.history.latest())).status_code == 404
    assert client.get(f"{history_url(posting)}abc/").status_code == 404


# ------------------------------------------------------------------ the attacks of finding 1
def test_an_official_cannot_raise_their_line_through_the_history_form(cast, client):
    prepare_appraisals()
    work = work_cast(cast)
    line = log(cast.official, work.culture, "2")
    before = snapshot(line)
    client.force_login(cast.official)
    response = client.post(version_url(line, line.history.latest()), form_data(line, quantity="40"))
    assert response.status_code == 405
    line.refresh_from_db()
    assert line.quantity == Decimal("2")
    assert snapshot(line) == before


def test_the_outsider_cannot_make_themselves_head_through_the_history_form(cast, client):
    posting = OfficialAssignment.objects.get(official__user=cast.outsider)
    before = snapshot(posting)
    client.force_login(cast.outsider)
    response = client.post(version_url(posting, posting.history.latest()), form_data(posting, leadership_role="HEAD"))
    assert response.status_code == 405
    posting.refresh_from_db()
    assert posting.leadership_role == "NONE"
    assert snapshot(posting) == before
    access.forget_scope(cast.outsider)
    assert not access.scope_for(cast.outsider).head_unit_paths


def test_the_outsider_cannot_read_another_units_official_history(cast, client):
    other = Official.objects.get(user=cast.official)
    other.email, other.birth_date = "an.nguyen@thanhhoa.gov.vn", date(1990, 5, 17)
    other.save()
    client.force_login(cast.outsider)
    for url in (history_url(other), version_url(other, other.history.latest())):
        response = client.get(url)
        assert response.status_code == 404
        html = response.content.decode()
        assert other.email not in html and "17/05/1990" not in html and other.full_name not in html
