"""MariaDB: the appraisal's three large JSON columns stored compressed (issue 12, item 1).

The copied rule set (``rule_params``, about 5 KB) made every appraisal row about 7 KB, two
rows to a 16 KB page: the whole-period batch rewrote ~110 MB of pages per 15,000
appraisals and, with a 128 MiB buffer pool, read most of them back from disk first.
Compressed (MariaDB's column compression, zlib; values under 100 bytes are kept as they
are) the table is ~3.3 × smaller. Readers see the same text. Other databases: nothing.

A later ``AlterField`` on one of these columns writes it back uncompressed: repeat this then.
"""

from django.db import migrations

COLUMNS = ("rule_params", "explanation", "scored_items")


def alter(schema_editor, attribute, table="appraisals_appraisal"):
    """``MODIFY`` the three columns of ``table`` with ``attribute`` (`` COMPRESSED`` or nothing); MariaDB only."""
    connection = schema_editor.connection
    if connection.vendor != "mysql" or not connection.mysql_is_mariadb:
        return
    changes = ", ".join(
        f"MODIFY `{column}` longtext{attribute} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL "
        f"CHECK (json_valid(`{column}`))"
        for column in COLUMNS
    )
    schema_editor.execute(f"ALTER TABLE {table} {changes}")


def compress(apps, schema_editor):
    alter(schema_editor, " COMPRESSED")


def uncompress(apps, schema_editor):
    alter(schema_editor, "")


class Migration(migrations.Migration):
    dependencies = [("appraisals", "0006_disqualifier_corruption_reported")]

    operations = [migrations.RunPython(compress, uncompress, atomic=False)]
