"""``manage.py simulate_integration_events --day YYYY-MM-DD [--url http://host:port]``

Signs and sends a day of e-office and one-stop-shop events (:mod:`..simulator`) with each
source's current secret read from the database. Without ``--url`` the requests go through
Django's test client in this process (the full stack: middleware, throttle, view, services,
as a real request would); with ``--url`` they are POSTed over HTTP to a running server.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections import Counter
from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from thanhhoa_kpi.integrations.models import IntegrationSource
from thanhhoa_kpi.integrations.simulator import day_events, signed_headers


class Command(BaseCommand):
    help = "Gửi (đã ký) các sự kiện của một ngày từ hệ thống văn bản điều hành và một cửa (demo)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--day", help="Ngày xử lý YYYY-MM-DD (mặc định hôm nay).")
        parser.add_argument("--url", help="Gửi qua HTTP tới máy chủ đang chạy, ví dụ http://127.0.0.1:8000.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = date.fromisoformat(options["day"]) if options.get("day") else timezone.localdate()
        except ValueError:
            raise CommandError("--day phải có dạng YYYY-MM-DD.") from None
        secrets = dict(IntegrationSource.objects.values_list("code", "secret"))
        tally: Counter[str] = Counter()
        for event in day_events(day):
            if event.source not in secrets:
                raise CommandError(f"Chưa có hệ thống gửi «{event.source}»: chạy manage.py seed --sets demo trước.")
            status, answer = self._send(options.get("url"), event.source, event.body, secrets[event.source])
            key = answer.get("result") or answer.get("code", "?")
            tally[f"{key}{' (gửi lại)' if status == 200 else ''}"] += 1
            self.stdout.write(f"{status} {event.source} {json.loads(event.body)['event_id']}: {key}")
        summary = ", ".join(f"{name}: {count}" for name, count in sorted(tally.items()))
        self.stdout.write(self.style.SUCCESS(f"Ngày {day:%d/%m/%Y}: {sum(tally.values())} sự kiện — {summary}"))

    def _send(self, url: str | None, source: str, body: bytes, secret: str) -> tuple[int, dict[str, Any]]:
        path = reverse("integration-events", args=[source])
        headers = signed_headers(secret, body)
        if url:
            return _over_http(url.rstrip("/") + path, body, headers)
        host = next((h for h in settings.ALLOWED_HOSTS if h and h[0] not in ".*"), "localhost")
        response = Client(HTTP_HOST=host).post(path, data=body, content_type="application/json", secure=True,
                                               headers=headers)  # fmt: skip
        return response.status_code, response.json()


def _over_http(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json", **headers})  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (the operator's own URL)
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")
