from django.apps import AppConfig


class OrganizationConfig(AppConfig):
    name = "thanhhoa_kpi.organization"
    label = "organization"
    verbose_name = "Tổ chức và nhân sự"

    def ready(self) -> None:
        from thanhhoa_kpi.accounts import access
        from thanhhoa_kpi.organization import loaders  # noqa: F401  (registers fixture loaders)
        from thanhhoa_kpi.organization import models as m

        access.register(m.OrgUnit, via="unit")
        access.register(m.SimilarTaskGroup, via="unit", prefix="unit__")
        access.register(m.BlocAuthority, via="public", write=access.province_only)
        access.register(m.JobPosition, via="public", write=access.bloc_rows)
        access.register(m.Official, via="official")
        access.register(m.OfficialAssignment, via="official", prefix="official__")
        access.register(m.LeavePeriod, via="official", prefix="official__")
