from django.apps import AppConfig


class AppraisalsConfig(AppConfig):
    name = "thanhhoa_kpi.appraisals"
    label = "appraisals"
    verbose_name = "Đánh giá, xếp loại"

    def ready(self) -> None:
        from thanhhoa_kpi.accounts import access
        from thanhhoa_kpi.appraisals import loaders  # noqa: F401  (registers fixture loaders)
        from thanhhoa_kpi.appraisals.models import RuleSet

        access.register(RuleSet, via="public")
