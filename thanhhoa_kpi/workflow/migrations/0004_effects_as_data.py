"""Workflow effects become data of the definition (issue 10, item 2).

Until now what a transition did was code keyed on state codes (an appraisal leaving
DRAFT for UNIT_REVIEW was checked and scored, one entering HOME_AFFAIRS took the self
scores and was scored, entering PUBLISHED fixed the level ...). Every stored definition,
including versions documents already follow, now says so itself: this migration writes,
for each stored row, the effects, tags and deadlines that reproduce exactly what the old
code did for those state codes. A state the old code did not know (an added step) gets
nothing, as before; the desk's contract checks ask for more only when a definition is
next edited. Reversing removes the keys again.
"""

from django.db import migrations

# (doctype) → (state code → (tags, deadline)), [(source or None, target or None, effects)]
STATES = {
    "appraisal": {
        "DRAFT": (["self_assessment"], "self_assessment"),
        "UNIT_REVIEW": ([], "unit_review"),
        "HOME_AFFAIRS": (["approval"], "approval"),
        "PUBLISHED": (["published"], ""),
    },
    "catalogue": {"PUBLISHED": (["published"], "")},
    "job_description": {"PUBLISHED": (["published"], "")},
    "definition_change": {"IN_FORCE": (["in_force"], ""), "REJECTED": (["closed"], ""), "WITHDRAWN": (["closed"], "")},
}
EFFECTS = {
    "appraisal": [
        ("DRAFT", "UNIT_REVIEW", ["require_self_assessment", "score"]),
        (None, "HOME_AFFAIRS", ["accept_self_scores", "score"]),
        (None, "PUBLISHED", ["publish"]),
        ("PUBLISHED", None, ["unpublish"]),
    ],
    "catalogue": [(None, "PUBLISHED", ["put_in_force"])],
    "job_description": [(None, "PUBLISHED", ["apply_to_position"])],
    "definition_change": [
        (None, "IN_FORCE", ["put_version_in_force"]),
        (None, "REJECTED", ["close_version"]),
        (None, "WITHDRAWN", ["close_version"]),
    ],
}


def _effects(doctype, transition):
    found = []
    for source, target, names in EFFECTS.get(doctype, []):
        if (source is None or source in transition.get("from", [])) and (target is None or target == transition.get("to")):
            found.extend(name for name in names if name not in found)
    return found


def with_effects(doctype, body):
    """``body`` (states and transitions) declaring what the old code did, changed in place."""
    states = STATES.get(doctype, {})
    for state in body.get("states", []):
        if isinstance(state, dict) and "tags" not in state:
            tags, deadline = states.get(state.get("code"), ([], ""))
            state["tags"], state["deadline"] = list(tags), deadline
    for transition in body.get("transitions", []):
        if isinstance(transition, dict) and "effects" not in transition:
            transition["effects"] = _effects(doctype, transition)
    return body


def declare(apps, schema_editor):
    definition_model = apps.get_model("workflow", "WorkflowDefinition")
    for row in definition_model.objects.all():
        row.definition = with_effects(row.doctype, row.definition if isinstance(row.definition, dict) else {})
        row.save(update_fields=["definition"])


def undeclare(apps, schema_editor):
    definition_model = apps.get_model("workflow", "WorkflowDefinition")
    for row in definition_model.objects.all():
        body = row.definition if isinstance(row.definition, dict) else {}
        for state in body.get("states", []):
            if isinstance(state, dict):
                state.pop("tags", None)
                state.pop("deadline", None)
        for transition in body.get("transitions", []):
            if isinstance(transition, dict):
                transition.pop("effects", None)
        row.definition = body
        row.save(update_fields=["definition"])


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0003_definition_changes_and_version_status"),
        ("catalogue", "0002_catalogue_workflow"),
    ]

    operations = [migrations.RunPython(declare, undeclare)]
