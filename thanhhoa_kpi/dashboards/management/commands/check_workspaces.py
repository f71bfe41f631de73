"""``manage.py check_workspaces``: checks every ``workspace/*.yaml`` against the schema and
the registries; prints each error with its file and path and exits 1 when any is found."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from thanhhoa_kpi.dashboards.workspaces import WorkspaceError, load_all


class Command(BaseCommand):
    help = "Kiểm tra các tệp bàn làm việc trong workspace/ (schema.json, chỉ số, biểu đồ, liên kết)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            loaded = load_all()
        except WorkspaceError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError(f"{len(exc.messages)} lỗi trong các tệp bàn làm việc.") from None
        for workspace in loaded:
            self.stdout.write(f"{workspace.name}: {workspace.data['title']} ({', '.join(workspace.roles)})")
        self.stdout.write(self.style.SUCCESS(f"{len(loaded)} tệp hợp lệ."))
