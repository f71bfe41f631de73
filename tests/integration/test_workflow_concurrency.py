"""Two people acting on one document at the same moment, on two MariaDB connections."""

import threading
import time

import pytest
from django.db import connection

from tests.factories.workflow import job_description, prepare_workflows, second_authority
from thanhhoa_kpi.workflow import services
from thanhhoa_kpi.workflow.engine import TransitionRefused
from thanhhoa_kpi.workflow.models import JobDescription
from thanhhoa_kpi.workflow.selectors import transition_history

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_of_two_simultaneous_actions_exactly_one_happens(cast, monkeypatch, mailoutbox):
    prepare_workflows()
    other = second_authority(cast)
    document = job_description(cast, state="HOME_AFFAIRS")
    run = services.run_effects

    def slow_effects(document, decision, user):
        # Hold the row lock long enough for the other thread to queue behind it.
        time.sleep(0.5)
        run(document, decision, user)

    monkeypatch.setattr(services, "run_effects", slow_effects)
    barrier = threading.Barrier(2)
    outcomes = {}

    def act(name, user, action):
        try:
            mine = JobDescription.objects.get(pk=document.pk)  # both read HOME_AFFAIRS first
            barrier.wait(timeout=10)
            try:
                services.workflow_transition(document=mine, action=action, user=user, comment="Ý kiến.")
                outcomes[name] = "done"
            except TransitionRefused as refused:
                outcomes[name] = refused
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=("publish", cast.authority, "publish")),
        threading.Thread(target=act, args=("return", other, "return")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    refused = [value for value in outcomes.values() if value != "done"]
    assert len(outcomes) == 2 and len(refused) == 1
    assert refused[0].code == "NOT_ALLOWED_FROM_STATE"
    assert refused[0].message.startswith("Tài liệu đã được người khác xử lý")
    assert transition_history(document=document).count() == 1
    winner = next(name for name, value in outcomes.items() if value == "done")
    assert JobDescription.objects.get(pk=document.pk).state == {"publish": "PUBLISHED", "return": "DRAFT"}[winner]
