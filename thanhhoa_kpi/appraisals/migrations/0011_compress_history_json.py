"""MariaDB: the same three JSON columns compressed in the appraisals' history table.

Migration 0007 compressed them in ``appraisals_appraisal`` only. Every saved version of an
appraisal (opening, scoring, each workflow step) writes a history row that copies the rule
set (about 6 KB of JSON), the explanation and the item table: 16 KB per history row on
average in the 75,000-official benchmark (588 MB for 35,600 rows), which at a province's
8 or so saves per appraisal per month is over 100 GB a year. Compressed as in the
appraisal table, readers see the same text. Other databases: nothing.
"""

from importlib import import_module

from django.db import migrations

_TABLE = "appraisals_historicalappraisal"
_alter = import_module("thanhhoa_kpi.appraisals.migrations.0007_compress_wide_json").alter


def compress(apps, schema_editor):
    _alter(schema_editor, " COMPRESSED", _TABLE)


def uncompress(apps, schema_editor):
    _alter(schema_editor, "", _TABLE)


class Migration(migrations.Migration):
    dependencies = [("appraisals", "0010_unit_rules")]

    operations = [migrations.RunPython(compress, uncompress, atomic=False)]
