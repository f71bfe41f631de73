"""Model forms whose save is a service call, so the service's checks (rights included) land on the form.

The desk never saves a protected row itself: the form's ``clean`` calls the service (which
checks the acting user against the old and the new values) and a refusal becomes form
errors in one place (:func:`form_errors`).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Model
from django.http import HttpRequest

from thanhhoa_kpi.core.errors import DomainError


def form_errors(form: forms.Form, error: DomainError) -> None:
    """The one place where a domain error becomes form errors (by field when named)."""
    if not error.errors:
        form.add_error(None, error.message)
    for problem in error.errors:
        form.add_error(problem.field if problem.field in form.fields else None, problem.message)


class ServiceForm(forms.ModelForm):
    """A model form whose ``save`` is a service call made in ``clean`` (errors stay on the form)."""

    request: HttpRequest
    saved: Model | None = None

    def call(self, data: dict[str, Any]) -> Model:
        raise NotImplementedError

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors:
            try:
                self.saved = self.call(data)
            except DomainError as error:
                form_errors(self, error)
        return data

    def _post_clean(self) -> None:
        pass  # the service validated and saved; the model form neither validates nor saves again


def with_request(request: HttpRequest, form_class: type) -> type:
    return type(form_class.__name__, (form_class,), {"request": request})


def adopt(obj: Model, form: Any) -> None:
    """Give the admin's object the saved row's values (it logs and redirects with them)."""
    for field in obj._meta.concrete_fields:
        setattr(obj, field.attname, getattr(form.saved, field.attname))
