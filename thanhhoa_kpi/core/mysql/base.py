"""Django's MySQL backend, running :mod:`thanhhoa_kpi.core.precommit` hooks before each commit."""

from __future__ import annotations

from django.db.backends.mysql import base

from thanhhoa_kpi.core.precommit import PreCommitMixin


class DatabaseWrapper(PreCommitMixin, base.DatabaseWrapper):
    pass
