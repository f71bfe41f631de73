"""Review of work-log lines: who may review what, exemptions, bulk review all or nothing."""

from decimal import Decimal

import pytest

from tests.factories.worklogs import log, pdf_file
from thanhhoa_kpi.accounts import access
from thanhhoa_kpi.core.errors import PermissionRefused, ValidationFailed
from thanhhoa_kpi.worklogs import selectors, services
from thanhhoa_kpi.worklogs.models import LineStatus, PeriodStatus, WorkLogLine

pytestmark = pytest.mark.django_db


def test_the_deputy_in_charge_of_the_field_reviews_a_line(cast, work):
    line = log(cast.official, work.culture, "4")
    reviewed = services.worklog_review(
        line=line, reviewer=cast.deputy, accepted_quantity=Decimal("3"), quality_failures=2, delays=1,
        exempt_delays=1, exemption_reason="Mất điện cả ngày", exemption_attachment=pdf_file(),
    )  # fmt: skip
    assert reviewed.status == LineStatus.REVIEWED and reviewed.reviewed_by == cast.deputy
    assert (reviewed.accepted_quantity, reviewed.quality_failures, reviewed.delays) == (Decimal("3"), 2, 1)
    assert reviewed.exemption_confirmed_by == "Lê Văn Cường" and reviewed.exemption_attachment  # the official's name
    assert reviewed.history.count() == 2


def test_a_deputy_is_limited_to_their_fields(cast, work):
    line = log(cast.official, work.sport)
    with pytest.raises(PermissionRefused):
        services.worklog_review(line=line, reviewer=cast.deputy)
    assert WorkLogLine.objects.get(pk=line.pk).status == LineStatus.DRAFT


def test_the_unit_head_reviews_any_field_of_the_unit(cast, work):
    for item in (work.sport, work.office):
        assert services.worklog_review(line=log(cast.colleague, item), reviewer=cast.head).is_reviewed


def test_nobody_reviews_their_own_lines(cast, work):
    for user in (cast.official, cast.head, cast.deputy):
        line = log(user, work.culture)
        with pytest.raises(PermissionRefused) as error:
            services.worklog_review(line=line, reviewer=user)
        assert error.value.code == "SELF_REVIEW"


def test_a_deputy_line_is_reviewed_by_the_head_not_by_a_peer(cast, work):
    line = log(cast.deputy, work.culture)
    with pytest.raises(PermissionRefused):
        services.worklog_review(line=line, reviewer=cast.official)
    assert services.worklog_review(line=line, reviewer=cast.head).is_reviewed


def test_outsiders_and_authorities_do_not_review(cast, work):
    line = log(cast.official, work.culture)
    for user in (cast.outsider, cast.authority, cast.hr, cast.viewer, cast.colleague):
        with pytest.raises(PermissionRefused):
            services.worklog_review(line=line, reviewer=user)


def test_outsiders_see_no_line_of_another_unit(cast, work):
    log(cast.official, work.culture)
    assert not selectors.worklog_list(user=cast.outsider).exists()
    assert not access.scoped(WorkLogLine.objects.all(), cast.outsider).exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"accepted_quantity": "-1"}, "accepted_quantity"),
        ({"accepted_quantity": "5"}, "accepted_quantity"),
        ({"accepted_quantity": "x"}, "accepted_quantity"),
        ({"quality_failures": -1}, "quality_failures"),
        ({"delays": "1.5"}, "delays"),
        ({"quality_failures": 1, "exempt_quality_failures": 2, "exemption_reason": "Lý do"}, "exempt_quality_failures"),
        ({"delays": 1, "exempt_delays": 2, "exemption_reason": "Lý do"}, "exempt_delays"),
        ({"delays": 1, "exempt_delays": 1}, "exemption_reason"),
        ({"exemption_attachment": "EXE"}, "exemption_attachment"),
    ],
)
def test_bad_review_values_are_refused_by_field(cast, work, values, field):
    from tests.factories.worklogs import exe_file

    if values.get("exemption_attachment") == "EXE":
        values = {"delays": 1, "exempt_delays": 1, "exemption_reason": "Lý do", "exemption_attachment": exe_file()}
    line = log(cast.official, work.culture, "4")
    with pytest.raises(ValidationFailed) as error:
        services.worklog_review(line=line, reviewer=cast.deputy, **values)
    assert [e.field for e in error.value.errors] == [field]
    assert WorkLogLine.objects.get(pk=line.pk).status == LineStatus.DRAFT


def test_a_review_accepts_the_whole_quantity_by_default(cast, work):
    line = services.worklog_review(line=log(cast.official, work.culture, "4"), reviewer=cast.deputy)
    assert line.accepted_quantity == Decimal("4")


def test_no_review_in_a_closed_period(cast, work):
    line = log(cast.official, work.culture)
    work.period.status = PeriodStatus.CLOSED
    work.period.save()
    with pytest.raises(ValidationFailed) as error:
        services.worklog_review(line=line, reviewer=cast.head)
    assert error.value.code == "PERIOD_CLOSED"


def test_bulk_review_is_all_or_nothing(cast, work):
    good = [log(cast.official, work.culture), log(cast.official, work.culture_small)]
    outside_field = log(cast.official, work.sport)
    with pytest.raises(PermissionRefused):
        services.worklog_review_bulk(lines=[*good, outside_field], reviewer=cast.deputy)
    assert set(WorkLogLine.objects.values_list("status", flat=True)) == {LineStatus.DRAFT}
    done = services.worklog_review_bulk(lines=good, reviewer=cast.deputy)
    assert [line.accepted_quantity for line in done] == [Decimal("1"), Decimal("1")]


def test_the_review_queue_lists_only_lines_the_caller_may_review(cast, work):
    mine = log(cast.official, work.culture)
    sport = log(cast.official, work.sport)
    colleague = log(cast.colleague, work.sport)
    own = log(cast.deputy, work.culture)
    assert set(selectors.worklog_awaiting_review(user=cast.deputy)) == {mine}
    assert set(selectors.worklog_awaiting_review(user=cast.head)) == {mine, sport, colleague, own}
    assert not selectors.worklog_awaiting_review(user=cast.official).exists()
    assert not selectors.worklog_awaiting_review(user=cast.outsider).exists()
