"""State-changing desk actions drawn as links ask first: a GET never acts (issue 9).

unfold renders detail actions as links, so a link in a mail or on another site would
otherwise make a new catalogue version (or open or close a period) with the victim's
session; only the POST of the confirmation form, under Django's CSRF check, acts.
"""

from __future__ import annotations

import pytest

from thanhhoa_kpi.catalogue.models import Catalogue

pytestmark = pytest.mark.django_db


def test_a_new_catalogue_version_is_made_only_by_posting_the_confirmation(client, cast, work):
    url = f"/admin/catalogue/catalogue/{work.catalogue.pk}/new-version/"
    client.force_login(cast.hr)
    before = Catalogue.objects.count()
    question = client.get(url)
    assert question.status_code == 200 and 'id="confirm-action"' in question.content.decode()
    assert Catalogue.objects.count() == before
    done = client.post(url)
    assert done.status_code == 302 and Catalogue.objects.count() == before + 1


def test_the_confirmation_refuses_a_post_without_the_csrf_token(cast, work):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.hr)
    before = Catalogue.objects.count()
    assert client.post(f"/admin/catalogue/catalogue/{work.catalogue.pk}/new-version/").status_code == 403
    assert Catalogue.objects.count() == before


def test_only_those_who_manage_the_catalogue_are_asked(client, cast, work):
    client.force_login(cast.hr)  # the ward's HR admin; work.other_catalogue belongs to another department
    response = client.get(f"/admin/catalogue/catalogue/{work.other_catalogue.pk}/new-version/")
    assert response.status_code == 302 and 'id="confirm-action"' not in response.content.decode()


def test_only_the_periods_own_bloc_authority_is_asked_to_close_it(client, cast):
    from tests.factories.appraisals import month_period, prepare_appraisals
    from thanhhoa_kpi.accounts.models import RoleGrant, User

    prepare_appraisals()
    period = month_period(cast)  # the government bloc's month
    party = User.objects.create_user(username="ban_to_chuc", password="x" * 12)
    RoleGrant.objects.create(user=party, role="BLOC_AUTHORITY", bloc="DANG")
    url = f"/admin/appraisals/appraisalperiod/{period.pk}/close/"
    client.force_login(party)
    refused = client.get(url)
    assert refused.status_code == 302 and 'id="confirm-action"' not in refused.content.decode()
    client.force_login(cast.authority)
    assert 'id="confirm-action"' in client.get(url).content.decode()
    period.refresh_from_db()
    assert period.status != "CLOSED"  # asking changed nothing
