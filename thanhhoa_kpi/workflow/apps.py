from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "thanhhoa_kpi.workflow"
    label = "workflow"
    verbose_name = "Quy trình phê duyệt"

    def ready(self) -> None:
        from thanhhoa_kpi.accounts import access
        from thanhhoa_kpi.workflow import governance, job_descriptions, loaders  # noqa: F401  (guards, effects, loaders)
        from thanhhoa_kpi.workflow.models import DefinitionChange, JobDescription, WorkflowDefinition

        access.register(WorkflowDefinition, via="public", write=access.province_only)
        # Proposals are read like the definitions; deciding them is the DEFINITION_CHANGE workflow's.
        access.register(DefinitionChange, via="public", write=access.province_only)
        access.register(JobDescription, via="unit", prefix="unit__")
