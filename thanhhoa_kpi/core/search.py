"""Vietnamese text search that ignores accents and case, with đ = d.

People type "van ban", "VĂN BẢN" or "dang" and expect "văn bản" and "Đảng". One
lookup, ``fold_contains``, is registered on every text field and every search of the
project goes through it: desk lists and autocompletes (``desk.base``), the catalogue
item picker (``catalogue.selectors.item_search``), the API's ``?search=``
(``api.search``) and the report builder's "contains" filter.

Why MariaDB did not find them: the tables are ``utf8mb4_unicode_ci`` (scripts/services.sh,
``DATABASES["TEST"]``). That collation is UCA 4.0.0, which already ignores case and
accents, so "van ban" does match "văn bản" there, but it gives Đ/đ a letter of its own:
"dang" never matches "Đảng", nor "duong" "Đường". JSON columns are ``utf8mb4_bin``
and fold nothing. On the SQLite demo ``LIKE`` folds only ASCII case, so "van ban" finds
nothing at all, and Python-side matches (the sidebar) compared exact lower-case text.

The choice, SQL-side folding rather than a stored search key:

- MariaDB: the column is compared under ``utf8mb4_unicode_520_ci`` (UCA 5.2), which
  folds case, every Vietnamese tone and vowel mark (ă â ê ô ơ ư) and also Đ to D
  (checked on 10.11; ``uca1400_ai_ci`` does too but needs MariaDB ≥ 10.10, while 520
  exists in every MariaDB 10.x and MySQL ≥ 5.6). The ``COLLATE`` clause is on the
  compared expression only; stored data and the tables' collation stay as they are.
- SQLite: a deterministic function ``KPI_FOLD`` (:func:`fold`, in Python) is
  registered on each new connection, and the search compares ``KPI_FOLD(column)``.
- The typed term is folded in Python by the same :func:`fold` on both databases.

A shadow "search key" column per searchable model would need a migration per model, a
key for every related path searched (``official__full_name``, ``unit__name``...), and
code in every ``bulk_create``/``update()`` path (opening, imports, generate_demo) to
keep it current; a missed path silently hides rows. Computing the fold in the query has
none of those failure modes, and costs nothing extra on the databases' indexes:
a ``LIKE '%term%'`` scans the rows in any case, with or without a key column.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import NotSupportedError
from django.db.backends.signals import connection_created
from django.db.models import CharField, Field, Model, TextField, lookups
from django.db.models.constants import LOOKUP_SEP

LOOKUP = "fold_contains"
MARIADB_COLLATION = "utf8mb4_unicode_520_ci"
SQLITE_FUNCTION = "KPI_FOLD"

# Prefixes of Django admin and DRF search fields that choose their own lookup.
_PREFIXES = ("^", "=", "@", "$")
# Đ/đ (U+0110/0111) has no decomposition; its look-alike Ð/ð (U+00D0/00F0) turns up in
# text converted from old Vietnamese encodings. MariaDB's 520 collation folds both to d.
_LETTERS = str.maketrans({"đ": "d", "ð": "d"})


def fold(text: str) -> str:
    """``text`` without accents, in lower case, with đ as d ("Đảng ủy" → "dang uy")."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.casefold().translate(_LETTERS)


class FoldContains(lookups.IContains):
    """``field__fold_contains="van ban"``: the folded field contains the folded term."""

    lookup_name = LOOKUP

    def get_prep_lookup(self) -> Any:
        value = super().get_prep_lookup()
        if not isinstance(value, str):
            raise TypeError(f"{LOOKUP} compares with typed text, not {type(value).__name__}.")
        return fold(value)

    def _sides(self, compiler: Any, connection: Any) -> tuple[str, str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return lhs, rhs, [*lhs_params, *rhs_params]

    def as_mysql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, rhs, params = self._sides(compiler, connection)
        return f"{lhs} COLLATE {MARIADB_COLLATION} LIKE {rhs}", params

    def as_sqlite(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, rhs, params = self._sides(compiler, connection)
        return f"{SQLITE_FUNCTION}({lhs}) LIKE {rhs} ESCAPE '\\'", params

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        raise NotSupportedError(f"{LOOKUP} is implemented for MariaDB/MySQL and SQLite only.")


def is_text(field: Field | None) -> bool:
    return isinstance(field, CharField | TextField)


def folded_lookup(model: type[Model], field_name: str) -> str:
    """The search lookup for one entry of ``search_fields`` on ``model``.

    A path that ends on a text field (``official__full_name``) becomes
    ``official__full_name__fold_contains``; prefixed entries (``^code``, ``=code``),
    entries that already name a lookup and non-text fields (``year``) are returned as
    they are, for the admin or DRF to handle in their usual way.
    """
    if field_name.startswith(_PREFIXES):
        return field_name
    opts, field = model._meta, None
    for part in field_name.split(LOOKUP_SEP):
        try:
            field = opts.get_field(opts.pk.name if part == "pk" else part)
        except FieldDoesNotExist:  # a lookup or a transform is named already
            return field_name
        if getattr(field, "path_infos", None):
            opts = field.path_infos[-1].to_opts
    return f"{field_name}{LOOKUP_SEP}{LOOKUP}" if is_text(field) else field_name


def folded_lookups(model: type[Model], field_names: Any) -> list[str]:
    return [folded_lookup(model, str(name)) for name in field_names]


def _sqlite_fold(value: Any) -> str | None:
    return None if value is None else fold(str(value))


def _register_sqlite_function(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FUNCTION, 1, _sqlite_fold, deterministic=True)


def install() -> None:
    """Register the lookup on text fields and the SQLite function (``CoreConfig.ready``)."""
    CharField.register_lookup(FoldContains)
    TextField.register_lookup(FoldContains)
    connection_created.connect(_register_sqlite_function, dispatch_uid="kpi-search-fold")
