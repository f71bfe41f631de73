"""Versions of province-wide definitions get a status (proposed, in force, retired, rejected)
so a desk change waits for a second province-level admin (issue 9)."""

from django.db import migrations, models


def retire_former_versions(apps, schema_editor):
    """Versions already stored: the current one is in force, every other one was replaced."""
    model = apps.get_model("appraisals", "ruleset")
    model.objects.filter(is_current=False).update(status="retired")


class Migration(migrations.Migration):

    dependencies = [
        ('appraisals', '0002_periods_appraisals_unit_appraisals'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalruleset',
            name='status',
            field=models.CharField(choices=[('proposed', 'Đề xuất, chờ duyệt'), ('in_force', 'Đang áp dụng'), ('retired', 'Đã thay thế'), ('rejected', 'Không được duyệt')], db_index=True, default='in_force', max_length=10, verbose_name='Tình trạng'),
        ),
        migrations.AddField(
            model_name='ruleset',
            name='status',
            field=models.CharField(choices=[('proposed', 'Đề xuất, chờ duyệt'), ('in_force', 'Đang áp dụng'), ('retired', 'Đã thay thế'), ('rejected', 'Không được duyệt')], db_index=True, default='in_force', max_length=10, verbose_name='Tình trạng'),
        ),
        migrations.RunPython(retire_former_versions, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='ruleset',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('is_current', True), ('status', 'in_force')), models.Q(('is_current', False), models.Q(('status', 'in_force'), _negated=True)), _connector='OR'), name='rule_set_current_is_in_force'),
        ),
    ]
