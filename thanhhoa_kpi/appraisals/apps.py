from django.apps import AppConfig


class AppraisalsConfig(AppConfig):
    name = "thanhhoa_kpi.appraisals"
    label = "appraisals"
    verbose_name = "Đánh giá, xếp loại"

    def ready(self) -> None:
        from thanhhoa_kpi.accounts import access
        from thanhhoa_kpi.appraisals import agency, guards, loaders, unit_rules  # noqa: F401  (guards, effects, loaders)
        from thanhhoa_kpi.appraisals import models as m
        from thanhhoa_kpi.appraisals.services import transitions  # noqa: F401  (workflow effects and contract)
        from thanhhoa_kpi.appraisals.services.scoring import rescore_open
        from thanhhoa_kpi.customfields.registry import register_host
        from thanhhoa_kpi.worklogs.hooks import on_lines_reviewed

        on_lines_reviewed(rescore_open)  # an open appraisal is rescored when its lines are reviewed
        access.register(m.RuleSet, via="public", write=access.province_only)
        access.register(m.AppraisalPeriod, via="public")
        access.register(m.Appraisal, via="official", prefix="official__")
        access.register(m.AppraisalCriterion, via="official", prefix="appraisal__official__")
        access.register(m.AppraisalDisqualifier, via="official", prefix="appraisal__official__")
        access.register(m.UnitAppraisal, via="unit", prefix="unit__")
        access.register(m.UnitRules, via="unit", prefix="unit__")
        register_host("appraisal", m.Appraisal)
