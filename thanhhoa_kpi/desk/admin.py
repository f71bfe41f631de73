"""Registers every desk page on the desk site (not on Django's default admin site).

Each module of :mod:`thanhhoa_kpi.desk.pages` defines ``register(site)`` and may define
``NAVIGATION`` (sidebar groups, see :mod:`thanhhoa_kpi.desk.navigation`).
"""

import pkgutil
from importlib import import_module

from thanhhoa_kpi.desk import pages
from thanhhoa_kpi.desk.sites import desk_site

PAGE_MODULES = [
    import_module(f"{pages.__name__}.{info.name}")
    for info in sorted(pkgutil.iter_modules(pages.__path__), key=lambda m: m.name)
]
for _module in PAGE_MODULES:
    _module.register(desk_site)
