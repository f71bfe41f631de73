"""Versions of province-wide definitions get a status (proposed, in force, retired, rejected)
so a desk change waits for a second province-level admin (issue 9)."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


def retire_former_versions(apps, schema_editor):
    """Versions already stored: the current one is in force, every other one was replaced."""
    model = apps.get_model("workflow", "workflowdefinition")
    model.objects.filter(is_current=False).update(status="retired")


# What fixtures/base/roles.workflow.yaml now grants HR_ADMIN; the role loader only adds,
# so a database seeded with "workflow.*" keeps the rest until this step removes it.
HR_ADMIN_KEEPS = {
    "view_notification", "delete_notification", "view_transitionlog", "view_jobdescription",
    "add_jobdescription", "change_jobdescription", "delete_jobdescription", "view_workflowdefinition",
    "add_workflowdefinition", "change_workflowdefinition", "view_definitionchange",
}  # fmt: skip


def trim_hr_admin(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name="HR_ADMIN").first()
    if group is None:
        return
    extra = group.permissions.filter(content_type__app_label="workflow").exclude(codename__in=HR_ADMIN_KEEPS)
    group.permissions.remove(*extra)


class Migration(migrations.Migration):

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('workflow', '0002_job_descriptions_history_notifications'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='DefinitionChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='Tạo lúc')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='Cập nhật lúc')),
                ('state', models.CharField(db_index=True, max_length=40, verbose_name='Trạng thái')),
                ('state_changed_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='Chuyển trạng thái lúc')),
                ('object_id', models.PositiveBigIntegerField(verbose_name='Mã phiên bản đề xuất')),
                ('summary', models.CharField(max_length=255, verbose_name='Nội dung đề xuất')),
            ],
            options={
                'verbose_name': 'đề xuất thay đổi quy định',
                'verbose_name_plural': 'đề xuất thay đổi quy định',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalDefinitionChange',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='Tạo lúc')),
                ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='Cập nhật lúc')),
                ('state', models.CharField(db_index=True, max_length=40, verbose_name='Trạng thái')),
                ('state_changed_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='Chuyển trạng thái lúc')),
                ('object_id', models.PositiveBigIntegerField(verbose_name='Mã phiên bản đề xuất')),
                ('summary', models.CharField(max_length=255, verbose_name='Nội dung đề xuất')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
            ],
            options={
                'verbose_name': 'historical đề xuất thay đổi quy định',
                'verbose_name_plural': 'historical đề xuất thay đổi quy định',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddField(
            model_name='historicalworkflowdefinition',
            name='status',
            field=models.CharField(choices=[('proposed', 'Đề xuất, chờ duyệt'), ('in_force', 'Đang áp dụng'), ('retired', 'Đã thay thế'), ('rejected', 'Không được duyệt')], db_index=True, default='in_force', max_length=10, verbose_name='Tình trạng'),
        ),
        migrations.AddField(
            model_name='workflowdefinition',
            name='status',
            field=models.CharField(choices=[('proposed', 'Đề xuất, chờ duyệt'), ('in_force', 'Đang áp dụng'), ('retired', 'Đã thay thế'), ('rejected', 'Không được duyệt')], db_index=True, default='in_force', max_length=10, verbose_name='Tình trạng'),
        ),
        migrations.AlterField(
            model_name='historicalworkflowdefinition',
            name='doctype',
            field=models.CharField(choices=[('appraisal', 'Phiếu đánh giá'), ('catalogue', 'Danh mục đầu công việc'), ('job_description', 'Bản mô tả vị trí việc làm'), ('definition_change', 'Đề xuất thay đổi quy định')], max_length=30, verbose_name='Loại tài liệu'),
        ),
        migrations.AlterField(
            model_name='workflowdefinition',
            name='doctype',
            field=models.CharField(choices=[('appraisal', 'Phiếu đánh giá'), ('catalogue', 'Danh mục đầu công việc'), ('job_description', 'Bản mô tả vị trí việc làm'), ('definition_change', 'Đề xuất thay đổi quy định')], max_length=30, verbose_name='Loại tài liệu'),
        ),
        migrations.RunPython(retire_former_versions, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='workflowdefinition',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('is_current', True), ('status', 'in_force')), models.Q(('is_current', False), models.Q(('status', 'in_force'), _negated=True)), _connector='OR'), name='workflow_current_is_in_force'),
        ),
        migrations.AddField(
            model_name='definitionchange',
            name='content_type',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to='contenttypes.contenttype', verbose_name='Loại quy định'),
        ),
        migrations.AddField(
            model_name='definitionchange',
            name='proposer',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='Người đề xuất'),
        ),
        migrations.AddField(
            model_name='definitionchange',
            name='workflow',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='workflow.workflowdefinition', verbose_name='Quy trình (phiên bản)'),
        ),
        migrations.AddField(
            model_name='historicaldefinitionchange',
            name='content_type',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='contenttypes.contenttype', verbose_name='Loại quy định'),
        ),
        migrations.AddField(
            model_name='historicaldefinitionchange',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicaldefinitionchange',
            name='proposer',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='Người đề xuất'),
        ),
        migrations.AddField(
            model_name='historicaldefinitionchange',
            name='workflow',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='workflow.workflowdefinition', verbose_name='Quy trình (phiên bản)'),
        ),
        migrations.AddConstraint(
            model_name='definitionchange',
            constraint=models.UniqueConstraint(fields=('content_type', 'object_id'), name='uniq_definition_change'),
        ),
        migrations.RunPython(trim_hr_admin, migrations.RunPython.noop),
    ]
