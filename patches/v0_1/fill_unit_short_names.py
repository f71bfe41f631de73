"""Give every org unit without a short name its full name, so lists stay readable."""

from django.db.models import F

from thanhhoa_kpi.organization.models import OrgUnit


def execute() -> None:
    OrgUnit.objects.filter(short_name="").update(short_name=F("name"))
