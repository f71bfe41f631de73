"""MariaDB/MySQL: Django's backend with the pre-commit hooks of :mod:`thanhhoa_kpi.core.precommit`
(``ENGINE = "thanhhoa_kpi.core.mysql"``, set by settings.py for every ``mysql://`` URL)."""
