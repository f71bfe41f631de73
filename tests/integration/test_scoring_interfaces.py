"""kpi_score and the preview endpoints agree, refuse bad input alike, and use DB rule sets."""

import json
import subprocess
import sys
from copy import deepcopy

import pytest
from django.core.management import call_command

from tests.factories.workflow import rule_set_in_force
from thanhhoa_kpi.appraisals import rulesets
from thanhhoa_kpi.appraisals.loaders import load_rule_sets
from thanhhoa_kpi.appraisals.models import RuleSet
from thanhhoa_kpi.core.errors import ValidationFailed
from thanhhoa_kpi.core.seeding import FIXTURES_DIR, read_file

pytestmark = pytest.mark.django_db

EXAMPLE_1 = {
    "rule_set": "ND335",
    "role": "staff",
    "general": {"points": 27},
    "items": [
        {"code": "P1", "coefficient": "1", "assigned": 10, "completed": 10, "quality_failures": 0, "delays": 1,
         "exempt_quality_failures": 0, "exempt_delays": 0},
        {"code": "P2", "coefficient": "4", "assigned": 3, "completed": 3, "quality_failures": 1, "delays": 0,
         "exempt_quality_failures": 0, "exempt_delays": 0},
        {"code": "P3", "coefficient": "8", "assigned": 2, "completed": 1, "quality_failures": 0, "delays": 0,
         "exempt_quality_failures": 0, "exempt_delays": 0},
    ],
    "disqualifiers": [],
}  # fmt: skip
QUOTA = {
    "rule_set": "ND335",
    "unit_excellent": False,
    "officials": [{"id": f"C{i}", "group": "staff", "total": 95 - i * 0.5, "task_score": 66, "disqualifiers": []}
                  for i in range(8)]
    + [{"id": f"G{i}", "group": "staff", "total": 80, "task_score": 56, "disqualifiers": []} for i in range(22)],
}  # fmt: skip


@pytest.fixture
def rule_sets(db):
    load_rule_sets(read_file(FIXTURES_DIR / "base" / "rule_sets.json"))


def run_command(payload: str, *args: str) -> tuple[int, dict]:
    """Run ``kpi_score`` in-process, reading standard input like the real command."""
    import io

    out = io.StringIO()
    stdin = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(payload.encode()))
    try:
        call_command("kpi_score", *args, "-", stdout=out)
        code = 0
    except SystemExit as exc:
        code = int(exc.code)
    finally:
        sys.stdin = stdin
    return code, json.loads(out.getvalue())


def test_the_command_reproduces_example_1_of_the_research(rule_sets):
    code, body = run_command(json.dumps(EXAMPLE_1))
    assert code == 0
    assert (body["a"], body["b"], body["c"], body["task_score"], body["total"]) == (78.95, 76.32, 78.29, 54.5, 81.5)
    assert body["classification"] == "HOAN_THANH_TOT"
    assert any("P2: 1 lỗi chất lượng" in line for line in body["explanation"])


def test_the_endpoint_and_the_command_give_the_same_json(rule_sets, cast, api_for):
    _code, from_command = run_command(json.dumps(EXAMPLE_1))
    response = api_for(cast.official).post("/api/v1/scoring/preview", EXAMPLE_1, format="json")
    assert response.status_code == 200
    assert response.json() == from_command


def test_the_quota_preview_keeps_five_of_eight_candidates(rule_sets, cast, api_for):
    code, from_command = run_command(json.dumps(QUOTA), "--quota")
    response = api_for(cast.authority).post("/api/v1/scoring/quota-preview", QUOTA, format="json")
    assert code == 0 and response.json() == from_command
    assert from_command["groups"]["staff"] == {"candidates": 8, "good": 22, "limit": 5}
    demoted = [r["id"] for r in from_command["results"] if r["demoted"]]
    assert demoted == ["C5", "C6", "C7"]


BAD_INPUTS = {
    "malformed": ('{"rule_set": "ND335",', "MALFORMED_JSON", "$"),
    "unknown rule set": (json.dumps({**EXAMPLE_1, "rule_set": "ND999"}), "UNKNOWN_RULE_SET", "rule_set"),
    "negative quantity": (
        json.dumps({**EXAMPLE_1, "items": [{**EXAMPLE_1["items"][0], "assigned": -1}]}), "INVALID_INPUT",
        "items[0].assigned",
    ),
    "zero coefficient": (
        json.dumps({**EXAMPLE_1, "items": [{**EXAMPLE_1["items"][0], "coefficient": "0"}]}), "INVALID_INPUT",
        "items[0].coefficient",
    ),
    "general above max": (json.dumps({**EXAMPLE_1, "general": {"points": 31}}), "INVALID_INPUT", "general.points"),
    "leader without unit": (json.dumps({**EXAMPLE_1, "role": "leader"}), "INVALID_INPUT", "unit"),
    "unknown field": (json.dumps({**EXAMPLE_1, "bonus": 5}), "INVALID_INPUT", "bonus"),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_refused_alike_by_command_and_endpoint(name, rule_sets, cast, api_for):
    payload, code, field = BAD_INPUTS[name]
    status, body = run_command(payload)
    response = api_for(cast.official).post("/api/v1/scoring/preview", payload, content_type="application/json")
    assert status == 2 and response.status_code == 400
    assert response.json() == body
    assert body["status"] == "ERROR" and body["code"] == code
    assert field in [e["field"] for e in body["errors"]]


def test_the_preview_needs_a_signed_in_user(rule_sets, api_for):
    assert api_for(None).post("/api/v1/scoring/preview", EXAMPLE_1, format="json").status_code == 401


def test_a_rule_set_edit_becomes_a_new_version_and_changes_the_preview(rule_sets, cast, api_for):
    current = RuleSet.objects.get(code="ND335", is_current=True)
    params = deepcopy(current.params)
    params["thresholds"]["HOAN_THANH_TOT"] = 85
    saved = rule_set_in_force(code="ND335", name=current.name, params=params, legal_basis=current.legal_basis)
    assert saved.version == current.version + 1
    assert RuleSet.objects.filter(code="ND335", is_current=True).count() == 1
    current.refresh_from_db()
    assert current.params["thresholds"]["HOAN_THANH_TOT"] == 70  # the old version is untouched
    body = api_for(cast.official).post("/api/v1/scoring/preview", EXAMPLE_1, format="json").json()
    assert body["classification"] == "HOAN_THANH"  # 81.5 < 85 under the new version


def test_an_invalid_rule_set_edit_is_refused_naming_the_parameter(rule_sets, cast):
    params = deepcopy(RuleSet.objects.get(code="ND335", is_current=True).params)
    params["quota_rate"] = -1
    with pytest.raises(ValidationFailed) as caught:
        rulesets.rule_set_save(user=cast.sysadmin, code="ND335", name="x", params=params)
    assert any("quota_rate" in e.field for e in caught.value.errors)
    assert RuleSet.objects.filter(code="ND335").count() == 1


def test_the_command_as_a_real_process_exits_2_on_malformed_json(tmp_path):
    """The documented invocation, end to end: exit status 2 and the error body on stdout.

    Malformed JSON is refused before any rule set is read, so the child process needs
    no access to this test's (uncommitted) database.
    """
    path = tmp_path / "bad.json"
    path.write_text('{"rule_set": "ND335", "role": ', encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "manage.py", "kpi_score", str(path)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2, proc.stderr
    assert json.loads(proc.stdout)["code"] == "MALFORMED_JSON"
