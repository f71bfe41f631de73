from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "thanhhoa_kpi.workflow"
    label = "workflow"
    verbose_name = "Quy trình phê duyệt"

    def ready(self) -> None:
        from thanhhoa_kpi.accounts import access
        from thanhhoa_kpi.workflow import job_descriptions, loaders  # noqa: F401  (guards, fixture loaders)
        from thanhhoa_kpi.workflow.models import JobDescription, WorkflowDefinition

        access.register(WorkflowDefinition, via="public", write=access.province_only)
        access.register(JobDescription, via="unit", prefix="unit__")
