"""``score_period PERIOD_ID``: score every appraisal of an open period at once (SPEC 9, issue 12).

Queues the batch's RQ jobs (as :func:`thanhhoa_kpi.appraisals.services.scoring.period_score_all` does):
one per range of officials, run side by side by the workers, then the heads and deputies.
``--wait`` waits for them and prints what each did. Without a worker the jobs run here.
"""

from __future__ import annotations

import time
from typing import Any

import django_rq
from django.core.management.base import BaseCommand, CommandError
from rq.job import Job, JobStatus

from thanhhoa_kpi.appraisals import jobs
from thanhhoa_kpi.appraisals.models import AppraisalPeriod
from thanhhoa_kpi.appraisals.services.scoring import period_score_plan
from thanhhoa_kpi.core.actors import SYSTEM
from thanhhoa_kpi.core.errors import DomainError

_DONE = (JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED)


class Command(BaseCommand):
    help = "Tính điểm cùng lúc mọi phiếu đánh giá chưa công khai của một kỳ đang mở (các việc RQ chạy song song)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("period", type=int, help="mã (id) kỳ đánh giá")
        parser.add_argument("--wait", action="store_true", help="chờ các việc chạy xong và in kết quả")

    def handle(self, *args: Any, period: int, wait: bool, **options: Any) -> None:
        found = AppraisalPeriod.objects.filter(pk=period).first()
        if found is None:
            raise CommandError(f"Không có kỳ đánh giá {period}.")
        started = time.perf_counter()
        try:
            ranges = period_score_plan(user=SYSTEM, period=found)
        except DomainError as error:
            raise CommandError(error.message) from error
        ids = jobs.enqueue_period_score(found.pk, ranges)
        if not ids:
            seconds = time.perf_counter() - started
            self.stdout.write(self.style.SUCCESS(f"Đã tính điểm {found} tại đây trong {seconds:.1f} giây."))
            return
        self.stdout.write(f"Đã xếp {len(ids)} việc tính điểm cho {found}.")
        if not wait:
            return
        connection = django_rq.get_connection("default")
        for job_id in ids:  # the leaders' job last: it runs only once every chunk has finished
            job = Job.fetch(job_id, connection=connection)
            while job.get_status() not in _DONE:
                time.sleep(0.1)
            name = job.func_name.rsplit(".", 1)[-1]
            if job.get_status() != JobStatus.FINISHED:
                failed = job.latest_result()
                raise CommandError(f"{name} {job.args[1:]}: {job.get_status()}\n{failed.exc_string if failed else ''}")
            result = {key: value for key, value in job.return_value().items() if key != "leaders"}
            self.stdout.write(f"  {name} {job.args[1:]}: {result}")
        self.stdout.write(self.style.SUCCESS(f"Xong trong {time.perf_counter() - started:.1f} giây."))
