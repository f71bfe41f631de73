"""Every desk list names its columns in Vietnamese (issue 11: the periods list said "Label")."""

from django.contrib.admin.utils import label_for_field
from django.core.exceptions import FieldDoesNotExist
from django.forms.utils import pretty_name

from thanhhoa_kpi.desk.sites import desk_site


def _computed_columns():
    for model, model_admin in desk_site._registry.items():
        for name in model_admin.list_display:
            if not isinstance(name, str) or name == "__str__":
                continue
            try:
                model._meta.get_field(name)
            except FieldDoesNotExist:
                yield model, model_admin, name


def test_no_list_column_falls_back_to_its_english_attribute_name():
    english = [
        f"{model.__name__}.{name}"
        for model, model_admin, name in _computed_columns()
        if str(label_for_field(name, model, model_admin)) == pretty_name(name)
    ]
    assert english == []


def test_the_periods_list_names_the_period_in_vietnamese():
    from thanhhoa_kpi.appraisals.models import AppraisalPeriod

    model_admin = desk_site._registry[AppraisalPeriod]
    first = model_admin.list_display[0]
    assert label_for_field(first, AppraisalPeriod, model_admin) == "Kỳ đánh giá"
