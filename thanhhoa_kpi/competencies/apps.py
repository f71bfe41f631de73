from django.apps import AppConfig


class CompetenciesConfig(AppConfig):
    name = "thanhhoa_kpi.competencies"
    label = "competencies"
    verbose_name = "Khung năng lực"

    def ready(self) -> None:
        from thanhhoa_kpi.accounts import access
        from thanhhoa_kpi.competencies import loaders  # noqa: F401  (registers fixture loaders)
        from thanhhoa_kpi.competencies import models as m

        for model in (m.CompetencyFramework, m.Competency, m.ProficiencyLevel, m.PositionRequirement):
            access.register(model, via="public", write=access.province_only)
