"""Issue 9, finding 7: with Redis down the token login answered a raw 500 and transition
notifications were silently dropped. Now: a 503 with the SPEC 8.1 body (a Vietnamese page
on the desk), and every notification waits in the outbox until Redis is back."""

import json

import django_rq
import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import include, path
from redis import Redis
from redis.exceptions import TimeoutError as RedisTimeoutError
from rest_framework.test import APIClient
from rq import Queue

from tests.factories.cast import PASSWORD
from tests.factories.workflow import job_description, prepare_workflows
from thanhhoa_kpi.core.models import OutboxJob
from thanhhoa_kpi.core.outage import OUTAGE_MESSAGE, ServiceUnavailableMiddleware
from thanhhoa_kpi.workflow import services
from thanhhoa_kpi.workflow.models import TransitionLog

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused at once
OUTAGE_MIDDLEWARE = "thanhhoa_kpi.core.outage.ServiceUnavailableMiddleware"


def desk_page_that_reads_the_cache(request):
    return HttpResponse(str(cache.get("anything")))


# The project's URLs plus one desk-style page that needs Redis (ROOT_URLCONF = this module).
urlpatterns = [path("desk-cache/", desk_page_that_reads_the_cache), path("", include("thanhhoa_kpi.urls"))]


@pytest.fixture(autouse=True)
def outage_middleware(settings):
    """Until settings.py lists it (the lead's line), the middleware is added last here."""
    if OUTAGE_MIDDLEWARE not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, OUTAGE_MIDDLEWARE]


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": DEAD_REDIS}}


@pytest.fixture
def queue_down(monkeypatch):
    """RQ's queue pointed at the closed port (django-rq reads RQ_QUEUES once, at import)."""
    dead = Queue("default", connection=Redis.from_url(DEAD_REDIS), is_async=False)
    monkeypatch.setattr(django_rq, "get_queue", lambda *args, **kwargs: dead)
    return monkeypatch


def test_the_token_login_answers_503_with_the_spec_body_when_redis_is_down(cast, redis_down):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "official", "password": PASSWORD}, format="json", REMOTE_ADDR="192.0.2.1"
    )
    assert response.status_code == 503
    body = response.json()
    assert body == {"status": "ERROR", "code": "SERVICE_UNAVAILABLE", "message": OUTAGE_MESSAGE, "errors": []}
    assert response["Retry-After"] == "60"


def test_a_desk_page_answers_a_vietnamese_503_page_when_redis_is_down(cast, client, settings, redis_down):
    settings.ROOT_URLCONF = __name__
    client.force_login(cast.official)
    response = client.get("/desk-cache/")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert "Hệ thống tạm thời gián đoạn" in response.content.decode()


def test_an_api_path_outside_drf_answers_the_spec_body():
    request = RequestFactory().get("/api/v1/anything/")
    response = ServiceUnavailableMiddleware(lambda r: None).process_exception(request, RedisTimeoutError("slow"))
    assert response.status_code == 503
    assert json.loads(response.content)["code"] == "SERVICE_UNAVAILABLE"


@pytest.fixture
def wf(cast):
    prepare_workflows()
    return cast


def submit(document, user, capture):
    with capture(execute=True):
        return services.workflow_transition(document=document, action="submit", user=user)


def test_a_transition_with_redis_down_keeps_its_notification_until_redis_is_back(
    wf, queue_down, django_capture_on_commit_callbacks, mailoutbox
):
    document = job_description(wf)
    log = submit(document, wf.official, django_capture_on_commit_callbacks)

    document.refresh_from_db()
    assert document.state == log.to_state  # the transition stands
    job = OutboxJob.objects.get()
    assert job.func == "thanhhoa_kpi.workflow.jobs.notify_transition" and job.kwargs == {"log_id": log.pk}
    assert job.sent_at is None and job.attempts == 1 and "ConnectionError" in job.last_error
    assert mail.outbox == []

    with pytest.raises(CommandError):  # still down: nothing sent, nothing lost
        call_command("outbox_flush")
    job.refresh_from_db()
    assert job.sent_at is None and job.attempts == 2

    queue_down.undo()  # Redis is back
    call_command("outbox_flush")
    job.refresh_from_db()
    assert job.sent_at is not None
    assert [message.to for message in mail.outbox] == [["head@example.vn"]]


def test_with_redis_up_the_notification_goes_out_at_commit(wf, django_capture_on_commit_callbacks, mailoutbox):
    submit(job_description(wf), wf.official, django_capture_on_commit_callbacks)
    assert OutboxJob.objects.get().sent_at is not None
    assert [message.to for message in mail.outbox] == [["head@example.vn"]]


def test_a_rolled_back_transition_leaves_no_outbox_row(wf):
    document = job_description(wf)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.workflow_transition(document=document, action="submit", user=wf.official)
        raise RuntimeError("the caller fails after the transition")
    assert not OutboxJob.objects.exists()
    assert not TransitionLog.objects.filter(action="submit").exists()


def test_a_flush_never_sends_a_row_twice(wf, django_capture_on_commit_callbacks, mailoutbox):
    submit(job_description(wf), wf.official, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    call_command("outbox_flush")
    assert mail.outbox == []
    assert OutboxJob.objects.get().attempts == 1


def test_the_cron_module_flushes_the_outbox():
    from django_rq.cron import DjangoCronScheduler

    scheduler = DjangoCronScheduler()
    scheduler.load_config_from_file("thanhhoa_kpi.cron")
    schedule = {job.func_name: job.cron for job in scheduler.get_jobs()}
    assert schedule["thanhhoa_kpi.core.jobs.flush_outbox"] == "*/5 * * * *"
