"""No page of the desk links a persona to a page they cannot open, or offers what they cannot do.

A crawl of the demo as each persona found two kinds of dead links: a read-only form showed
every user as a link to the account page, which only a system administrator may open (403
for everybody else), and the unit's work-log list offered «Sửa» on other people's lines
(404: a line is edited by its own official) and «Duyệt» on the reader's own (nobody reviews
their own work). Here every persona opens every desk list and the first row of each list it
may see, and follows every link of the page's content (not the sidebar, which is built from
the same permissions): each must open.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.test import RequestFactory
from django.urls import reverse

from tests.desk.test_history_views import build_world
from tests.factories.worklogs import assign, log, work_cast
from thanhhoa_kpi.desk.sites import desk_site
from thanhhoa_kpi.worklogs import services
from thanhhoa_kpi.worklogs.models import Origin, PeriodStatus

pytestmark = pytest.mark.django_db

PERSONAS = ("official", "deputy", "head", "authority", "hr", "viewer", "outsider")
# Downloads (PDF, spreadsheets) are built on GET and checked by their own tests.
NOT_FOLLOWED = re.compile(r"/pdf/|/export|/download|/files/|/logout/|\.(xlsx|csv|pdf)$")
CONTENT = re.compile(r'<div id="content"|id="content-main"|<main', re.S)
HREF = re.compile(r'href="(/admin/[^"#]*)"')
ADMIN_INDEX = reverse("admin:index")


def content_links(html: str) -> set[str]:
    """The desk addresses linked from a page's content (after the sidebar), without queries."""
    start = CONTENT.search(html)
    body = html[start.start() :] if start else html
    return {urlsplit(href.replace("&amp;", "&")).path for href in HREF.findall(body)}


def opens(client, path: str) -> tuple[bool, str]:
    response = client.get(path)
    if response.status_code == 302:
        # A row outside the scope sends the admin back to its index with «không tồn tại».
        return response.url.split("?")[0] != ADMIN_INDEX, f"302 → {response.url}"
    return response.status_code == 200, str(response.status_code)


def pages_of(user):
    """Each desk list the user may open, and the first row of it they may see."""
    request = RequestFactory().get("/admin/")
    request.user = user
    for model, model_admin in sorted(desk_site._registry.items(), key=lambda pair: pair[0]._meta.label):
        if not model_admin.has_view_or_change_permission(request):
            continue
        info = (model._meta.app_label, model._meta.model_name)
        yield reverse("admin:{}_{}_changelist".format(*info))
        row = model_admin.get_queryset(request).order_by("pk").first()
        if row is not None and model_admin.has_view_or_change_permission(request, row):
            yield reverse("admin:{}_{}_change".format(*info), args=[row.pk])


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_link_in_a_page_the_persona_opens_opens(persona, cast, client):
    build_world(cast)
    user = getattr(cast, persona)
    client.force_login(user)
    followed: dict[str, tuple[bool, str]] = {}
    dead: list[str] = []
    pages = list(pages_of(user))
    assert pages, f"{persona} opens no desk page at all"
    for page in pages:
        response = client.get(page, follow=True)  # a saved report's page runs it (302 to /run/)
        assert response.status_code == 200, (page, response.status_code)
        assert response.request["PATH_INFO"] != ADMIN_INDEX, (page, "sent back to the index")
        for link in sorted(content_links(response.content.decode()) - {page}):
            if NOT_FOLLOWED.search(link):
                continue
            if link not in followed:
                followed[link] = opens(client, link)
            ok, status = followed[link]
            if not ok:
                dead.append(f"{page} → {link} ({status})")
    assert not dead, "\n".join(dead)
    assert len(followed) > 5, f"only {len(followed)} links followed for {persona}: the crawl found no content"


# ------------------------------------------------------------------ the two kinds of dead link found
def test_a_read_only_account_is_a_name_for_readers_and_a_link_for_the_system_administrator(cast, client):
    work = work_cast(cast)
    me = cast.official_of(cast.official)
    type(cast.head).objects.filter(pk=cast.head.pk).update(last_name="Phạm Thị", first_name="Dung")
    row = assign(cast.head, me, work.sport, "3")
    page = reverse("admin:worklogs_assignment_change", args=[row.pk])
    account = reverse("admin:accounts_user_change", args=[cast.head.pk])
    client.force_login(cast.official)
    html = client.get(page).content.decode()
    assert "Phạm Thị Dung (head)" in html  # the person, not the bare login
    assert account not in html
    client.force_login(cast.sysadmin)
    html = client.get(page).content.decode()
    assert f'href="{account}"' in html


def test_a_unit_outside_the_scope_is_a_name_and_one_inside_is_a_link(cast, client):
    work = work_cast(cast)
    client.force_login(cast.outsider)
    other = reverse("admin:catalogue_catalogue_change", args=[work.catalogue.pk])
    response = client.get(other)
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("admin:organization_orgunit_change", args=[cast.ward.pk]) not in html
    assert re.search(rf'<div class="readonly[^"]*">{re.escape(str(cast.ward))}</div>', html)  # the owner, as text
    client.force_login(cast.authority)  # the bloc's authority sees every unit of the bloc
    html = client.get(other).content.decode()
    assert f'href="{reverse("admin:organization_orgunit_change", args=[cast.ward.pk])}"' in html


def _actions(client, user, line):
    client.force_login(user)
    response = client.get(reverse("admin:worklogs_worklogline_changelist"))
    row = next(r for r in response.context["cl"].result_list if r.pk == line.pk)
    html = str(response.context["cl"].model_admin.links(row))
    return re.findall(r">([^<]+)</a>", html)


def test_the_unit_lines_offer_edit_on_ones_own_and_review_to_its_reviewers_only(cast, client):
    work = work_cast(cast)
    mine = log(cast.official, work.culture, "2")
    heads = log(cast.head, work.culture, "1")
    assert _actions(client, cast.official, mine) == ["Sửa"]
    assert _actions(client, cast.head, mine) == ["Duyệt"]
    assert _actions(client, cast.deputy, mine) == ["Duyệt"]  # the deputy in charge of «Văn hóa»
    assert _actions(client, cast.head, heads) == ["Sửa"]  # nobody reviews their own line
    assert _actions(client, cast.hr, mine) == ["Xem"]


def test_a_line_of_a_closed_month_is_read_not_reviewed(cast, client):
    work = work_cast(cast)
    line = log(cast.official, work.culture, "2")
    services.work_period_set_status(period=work.period, user=cast.sysadmin, status=PeriodStatus.CLOSED)
    assert _actions(client, cast.head, line) == ["Xem"]
    html = client.get(reverse("admin:worklogs_review_line", args=[line.pk])).content.decode()
    assert 'id="review-form"' not in html
    assert "đã khóa: dòng này không còn duyệt được" in html


def test_a_line_of_a_closed_month_is_no_longer_offered_for_editing(cast, client):
    work = work_cast(cast)
    line = log(cast.official, work.culture, "2")
    client.force_login(cast.official)
    week, edit = reverse("admin:worklogs_my_week"), reverse("admin:worklogs_line_edit", args=[line.pk])
    assert edit in client.get(week).content.decode()
    assert _actions(client, cast.official, line) == ["Sửa"]
    services.work_period_set_status(period=work.period, user=cast.sysadmin, status=PeriodStatus.CLOSED)
    assert edit not in client.get(week).content.decode()
    assert _actions(client, cast.official, line) == ["Xem"]
    response = client.get(edit, follow=True)  # an old bookmark: the line, and why it cannot change
    assert response.redirect_chain[-1][0] == reverse("admin:worklogs_review_line", args=[line.pk])
    html = response.content.decode()
    assert "thuộc Tháng" in html and "không sửa hoặc xóa được nữa" in html
    assert "đã khóa: dòng này không còn duyệt được" in html  # not «đang chờ lãnh đạo phụ trách duyệt»
    assert "đang chờ lãnh đạo phụ trách duyệt" not in html


def _offered(client, url):
    form = client.get(url).context["action_form"]  # None when the list offers no action at all
    return set(dict(form.fields["action"].choices)) if form else set()


def _self_registered(cast, work):
    return assign(cast.official, cast.official_of(cast.official), work.culture, "2", origin=Origin.SELF_REGISTERED)


def _draft_line(cast, work):
    return log(cast.official, work.culture, "2")


def _approved(row):
    return row.approved and row.approved_by


def _reviewed(line):
    return line.is_reviewed and line.reviewed_by


@pytest.mark.parametrize(
    ("changelist", "action", "make", "done_by"),
    [
        ("admin:worklogs_assignment_changelist", "approve_selected", _self_registered, _approved),
        ("admin:worklogs_worklogline_changelist", "accept_selected", _draft_line, _reviewed),
    ],
)  # fmt: skip
def test_a_leaders_bulk_action_is_offered_to_leaders_only_and_works_for_them(cast, client, changelist, action, make,
                                                                              done_by):  # fmt: skip
    row = make(cast, work_cast(cast))
    url = reverse(changelist)
    for persona, offered in (("official", False), ("viewer", False), ("head", True)):
        client.force_login(getattr(cast, persona))
        assert (action in _offered(client, url)) is offered, persona
    client.post(url, {"action": action, "_selected_action": [row.pk]})
    row.refresh_from_db()
    assert done_by(row) == cast.head
