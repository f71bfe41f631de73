"""Settings for ``bench/sqlite_office.py --sqlite-defaults``: the project's settings with
Django's own SQLite defaults (rollback journal, 5 s busy timeout, deferred transactions),
as the embedded demo ran before issue 13, to compare against."""

from thanhhoa_kpi.settings import *  # noqa: F403
from thanhhoa_kpi.settings import DATABASES

DATABASES["default"]["ENGINE"] = "django.db.backends.sqlite3"
DATABASES["default"]["OPTIONS"] = {}
