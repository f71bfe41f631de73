"""Appraisal endpoints: ``periods/`` (+ open, status, close, quota, publish, classification-list),
``appraisals/`` (+ transition, history, general-criteria, unit-criteria, ranking, disqualifiers, score)
``unit-appraisals/`` and ``unit-rules/`` (+ transition, history)."""

from thanhhoa_kpi.api import appraisals_api


def register(router):
    router.register("periods", appraisals_api.PeriodViewSet, basename="appraisal-period")
    router.register("appraisals", appraisals_api.AppraisalViewSet, basename="appraisal")
    router.register("unit-appraisals", appraisals_api.UnitAppraisalViewSet, basename="unit-appraisal")
    router.register("unit-rules", appraisals_api.UnitRulesViewSet, basename="unit-rules")
