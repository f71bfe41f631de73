"""Packaging for thanhhoa_kpi: the KPI appraisal system of Thanh Hóa province.

Every dependency is pinned to the version checked on Debian 12 / Python 3.11
(see README "Dependencies"). Runtime pins live in ``install_requires``; the
test and tooling set in the ``dev`` extra; load testing in ``bench``.
"""

from setuptools import find_packages, setup

RUNTIME = [
    "Django==5.2.19",
    "mysqlclient==2.3.1",
    "redis==8.1.0",
    "django-unfold==0.91.0",
    "django-import-export[xlsx]==4.4.3",
    "openpyxl==3.1.5",
    "django-simple-history==3.13.0",
    "django-rq==4.2.0",
    "rq==3.0.0",
    "djangorestframework==3.18.3",
    "drf-spectacular==0.30.0",
    "drf-spectacular-sidecar==2026.10.1",
    "django-filter==26.2",
    "django-treebeard==7.0.3",
    "django-axes==8.3.1",
    "django-otp==1.7.5",
    "weasyprint==70.0",
    "PyYAML==6.0.3",
    "dj-database-url==3.1.2",
    "django-csp==4.0",
    "gunicorn==27.0.1",
    "whitenoise==6.12.0",
]

DEV = [
    "pytest==9.2.0",
    "pytest-django==4.14.0",
    "pytest-cov==7.1.0",
    "factory-boy==3.3.3",
    "hypothesis==6.170.15",
    "schemathesis==4.32.5",
    "playwright==1.65.2",
    "axe-playwright-python==0.1.8",  # axe-core 4.12 (MPL-2.0) for the accessibility checks in tests/e2e
    "ruff==0.17.6",
    "mypy==2.4.1",
    "import-linter==2.16",
]

BENCH = ["locust==2.47.0"]

setup(
    name="thanhhoa_kpi",
    version="0.1.0",
    description="Đo lường, chấm điểm, phê duyệt và công khai kết quả công việc CBCCVC tỉnh Thanh Hóa (KPI/OKR)",
    python_requires=">=3.11,<3.13",
    packages=find_packages(include=["thanhhoa_kpi", "thanhhoa_kpi.*"]),
    include_package_data=True,
    install_requires=RUNTIME,
    extras_require={"dev": DEV, "bench": BENCH},
    license="Proprietary (Tỉnh Thanh Hóa)",
)
