"""API v1 URLs: the auth endpoints plus every module of :mod:`thanhhoa_kpi.api.routes`."""

import pkgutil
from importlib import import_module

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from thanhhoa_kpi.api import routes, views

router = DefaultRouter(trailing_slash=True)
urlpatterns = [
    path("auth/token/", views.auth_token, name="auth-token"),
    path("auth/logout/", views.auth_logout, name="auth-logout"),
    path("me/", views.me, name="me"),
]
for info in sorted(pkgutil.iter_modules(routes.__path__), key=lambda m: m.name):
    module = import_module(f"{routes.__name__}.{info.name}")
    module.register(router)
    urlpatterns += getattr(module, "urlpatterns", [])
urlpatterns.append(path("", include(router.urls)))
