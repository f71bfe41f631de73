"""Notifications on the desk: following one opens its page and marks it read; reading one does too.

Before, «Mở» linked straight to the page and the notification stayed unread (the sidebar's
badge kept counting it) until the user ticked it and ran «Đánh dấu đã đọc»; its detail page
showed the page's path as text, wider than a phone.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from thanhhoa_kpi.workflow.models import Notification

pytestmark = pytest.mark.django_db


def _notice(user, url="/admin/worklogs/workperiod/") -> Notification:
    return Notification.objects.create(user=user, title="Duyệt: tháng 12/2026", body="Đã duyệt.", url=url)


def test_the_list_opens_a_notification_through_the_link_that_marks_it_read(client, cast):
    notice = _notice(cast.official)
    client.force_login(cast.official)

    listed = client.get(reverse("admin:workflow_notification_changelist"))
    opened = reverse("admin:workflow_notification_open", args=[notice.pk])
    assert f'href="{opened}"' in listed.content.decode()

    response = client.get(opened)
    assert response.status_code == 302 and response["Location"] == notice.url
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_nobody_opens_or_marks_another_persons_notification(client, cast):
    notice = _notice(cast.official)
    client.force_login(cast.head)

    assert client.get(reverse("admin:workflow_notification_open", args=[notice.pk])).status_code == 404
    refused = client.get(reverse("admin:workflow_notification_change", args=[notice.pk]), follow=True)
    said = [str(message) for message in refused.context["messages"]]
    assert said == [
        f"Không tìm thấy thông báo có mã số “{notice.pk}”: có thể đã bị xóa, hoặc nằm ngoài phạm vi bạn được xem."
    ]
    notice.refresh_from_db()
    assert notice.read_at is None


@pytest.mark.parametrize("url", ["https://ngoai.example/dang-nhap/", "//ngoai.example/", ""])
def test_a_notification_never_leads_off_the_site(client, cast, url):
    notice = _notice(cast.official, url=url)
    client.force_login(cast.official)

    response = client.get(reverse("admin:workflow_notification_open", args=[notice.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:workflow_notification_change", args=[notice.pk])


def test_following_a_notification_is_a_link_not_a_form(client, cast):
    notice = _notice(cast.official)
    client.force_login(cast.official)

    assert client.post(reverse("admin:workflow_notification_open", args=[notice.pk])).status_code == 405
    notice.refresh_from_db()
    assert notice.read_at is None


def test_reading_a_notification_marks_it_read_and_links_its_page(client, cast):
    notice = _notice(cast.official)
    client.force_login(cast.official)

    page = client.get(reverse("admin:workflow_notification_change", args=[notice.pk])).content.decode()
    assert reverse("admin:workflow_notification_open", args=[notice.pk]) in page
    assert notice.url not in page  # a link named «Mở», not the path written out
    notice.refresh_from_db()
    assert notice.read_at is not None
