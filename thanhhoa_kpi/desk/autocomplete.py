"""The desk's own type-to-find pickers (the catalogue item picker of the work-log pages).

Unfold's autocomplete widget loads select2 without its language file, so select2 said
"No results found" and "Searching…" in English; Django's admin autocompletes load it.
This field's widget loads the file of the active language and names it in the select's
``lang``, as Django's do. The search itself ignores accents and case
(``catalogue.selectors.item_search``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.widgets import SELECT2_TRANSLATIONS
from django.utils.translation import get_language
from unfold.fields import UnfoldAdminAutocompleteModelChoiceField
from unfold.widgets import UnfoldAdminAutocompleteModelChoiceFieldWidget

SELECT2_JS = "admin/js/vendor/select2/select2.full.js"


def _select2_language() -> str | None:
    return SELECT2_TRANSLATIONS.get(get_language() or "")


class LocalizedAutocompleteWidget(UnfoldAdminAutocompleteModelChoiceFieldWidget):
    def build_attrs(self, base_attrs: dict[str, Any], extra_attrs: dict[str, Any] | None = None) -> dict[str, Any]:
        attrs = super().build_attrs(base_attrs, extra_attrs)
        # select2 prefers the select's own lang over its English default.
        return {**attrs, "lang": _select2_language() or "en"}

    @property
    def media(self) -> forms.Media:
        media = super().media
        language = _select2_language()
        if not language:
            return media
        # After select2 itself, before jquery.init.js hides the global jQuery it registers on.
        translation = forms.Media(js=[SELECT2_JS, f"admin/js/vendor/select2/i18n/{language}.js"])
        return translation + media


class AutocompleteField(UnfoldAdminAutocompleteModelChoiceField):
    widget = LocalizedAutocompleteWidget
