"""Catalogues become documents of the CATALOGUE workflow (SPEC 3.5, 4).

Additive, in three steps:

1. add ``workflow`` (nullable for now), ``state`` and ``state_changed_at`` to the
   catalogue and its history table; ``status`` is relabelled "Hiệu lực" (in force or
   not), the approval step now being ``state``;
2. attach every existing catalogue to the current CATALOGUE definition: PUBLISHED for an
   APPROVED (in force) catalogue, the definition's initial state (DRAFT) otherwise;
3. make ``workflow`` non-null.

Choice: the foreign key ends non-null, like every workflow document's. The safe path
for step 3 is step 2 never leaving a row behind: when catalogues exist but no CATALOGUE
definition does (a database migrated before it was seeded), step 2 creates one from the
snapshot below, the shipped ``fixtures/base/workflows.json`` entry at the time of this
migration. The seed loader then finds that version in place (same content, nothing to
change). A database without catalogues needs no definition and gets none here.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone

CODE = "CATALOGUE"
PUBLISHED = "PUBLISHED"
SNAPSHOT_NAME = (
    "Quy trình phê duyệt danh mục đầu công việc (công khai là có hiệu lực, không mở lại; sửa bằng phiên bản mới)"
)


def _state(code, label, *, initial=False, terminal=False, editable=False):
    return {"code": code, "label": label, "initial": initial, "terminal": terminal, "editable": editable}


def _move(action, label, sources, target, approvers, *, guards=(), comment=False):
    return {"action": action, "label": label, "from": list(sources), "to": target, "approvers": list(approvers),
            "guards": list(guards), "comment_required": comment}  # fmt: skip


SNAPSHOT = {
    "states": [
        _state("DRAFT", "Nháp", initial=True, editable=True),
        _state("UNIT_REVIEW", "Đơn vị xem xét"),
        _state("HOME_AFFAIRS", "Cơ quan tổ chức cán bộ phê duyệt"),
        _state(PUBLISHED, "Công khai (có hiệu lực)", terminal=True),
    ],
    "transitions": [
        _move("submit", "Gửi", ["DRAFT"], "UNIT_REVIEW", ["SUBJECT", "ROLE:HR_ADMIN"]),
        # The parent unit's head approves when the author is the owner unit's own head.
        _move("approve", "Duyệt", ["UNIT_REVIEW"], "HOME_AFFAIRS", ["UNIT_HEAD", "PARENT_UNIT_HEAD"]),
        _move(
            "publish",
            "Công khai (có hiệu lực)",
            ["HOME_AFFAIRS"],
            PUBLISHED,
            ["BLOC_AUTHORITY"],
            guards=["CATALOGUE_READY"],
        ),
        _move("return", "Trả lại", ["UNIT_REVIEW"], "DRAFT", ["UNIT_HEAD", "PARENT_UNIT_HEAD"], comment=True),
        _move("return", "Trả lại", ["HOME_AFFAIRS"], "DRAFT", ["BLOC_AUTHORITY"], comment=True),
    ],
}


def _definition(apps):
    definitions = apps.get_model("workflow", "WorkflowDefinition")
    current = definitions.objects.filter(code=CODE, is_current=True).order_by("-version").first()
    if current is not None:
        return current
    last = definitions.objects.filter(code=CODE).order_by("-version").values_list("version", flat=True).first()
    definitions.objects.filter(code=CODE).update(is_current=False)
    return definitions.objects.create(
        code=CODE, version=(last or 0) + 1, name=SNAPSHOT_NAME, doctype="catalogue", definition=SNAPSHOT,
        is_current=True,
    )  # fmt: skip


def _initial_state(definition):
    states = definition.definition.get("states", []) if isinstance(definition.definition, dict) else []
    return next((state["code"] for state in states if state.get("initial")), "DRAFT")


def attach_to_workflow(apps, schema_editor):
    catalogues = apps.get_model("catalogue", "Catalogue")
    pending = catalogues.objects.filter(workflow__isnull=True)
    if not pending.exists():
        return
    definition = _definition(apps)
    now, initial = timezone.now(), _initial_state(definition)
    pending.filter(status="APPROVED").update(workflow=definition, state=PUBLISHED, state_changed_at=now)
    pending.exclude(status="APPROVED").update(workflow=definition, state=initial, state_changed_at=now)


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0001_initial"),
        ("workflow", "0002_job_descriptions_history_notifications"),
    ]

    operations = [
        migrations.AddField(
            model_name="catalogue",
            name="workflow",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="workflow.workflowdefinition",
                verbose_name="Quy trình (phiên bản)",
            ),
        ),
        migrations.AddField(
            model_name="catalogue",
            name="state",
            field=models.CharField(db_index=True, default="DRAFT", max_length=40, verbose_name="Trạng thái"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="catalogue",
            name="state_changed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="Chuyển trạng thái lúc"),
        ),
        migrations.AddField(
            model_name="historicalcatalogue",
            name="workflow",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="workflow.workflowdefinition",
                verbose_name="Quy trình (phiên bản)",
            ),
        ),
        migrations.AddField(
            model_name="historicalcatalogue",
            name="state",
            field=models.CharField(db_index=True, default="DRAFT", max_length=40, verbose_name="Trạng thái"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="historicalcatalogue",
            name="state_changed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="Chuyển trạng thái lúc"),
        ),
        migrations.AlterField(
            model_name="catalogue",
            name="status",
            field=models.CharField(
                choices=[("DRAFT", "Chưa có hiệu lực"), ("APPROVED", "Đã công khai (có hiệu lực)")],
                db_index=True,
                default="DRAFT",
                max_length=20,
                verbose_name="Hiệu lực",
            ),
        ),
        migrations.AlterField(
            model_name="historicalcatalogue",
            name="status",
            field=models.CharField(
                choices=[("DRAFT", "Chưa có hiệu lực"), ("APPROVED", "Đã công khai (có hiệu lực)")],
                db_index=True,
                default="DRAFT",
                max_length=20,
                verbose_name="Hiệu lực",
            ),
        ),
        migrations.RunPython(attach_to_workflow, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="catalogue",
            name="workflow",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="workflow.workflowdefinition",
                verbose_name="Quy trình (phiên bản)",
            ),
        ),
    ]
