from django.apps import AppConfig


class CompetenciesConfig(AppConfig):
    name = "thanhhoa_kpi.competencies"
    label = "competencies"
    verbose_name = "Khung năng lực"

    def ready(self) -> None:
        from thanhhoa_kpi.accounts import access
        from thanhhoa_kpi.competencies import loaders, transitions  # noqa: F401  (fixture loaders, workflow effects)
        from thanhhoa_kpi.competencies import models as m

        for model in (m.CompetencyFramework, m.Competency, m.ProficiencyLevel, m.PositionRequirement):
            access.register(model, via="public", write=access.province_only)
        # An official sees their own assessments, a head their unit's, an authority its bloc's.
        access.register(m.CompetencyAssessment, via="official", prefix="official__")
        access.register(m.CompetencyAssessmentLine, via="official", prefix="assessment__official__")
