"""One module per domain: each defines ``register(router)`` and may define ``urlpatterns``.

Modules here are discovered by :mod:`thanhhoa_kpi.api.urls`, so a new document type adds
its endpoints by adding a module, without touching a shared file.
"""
