from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "thanhhoa_kpi.accounts"
    label = "accounts"
    verbose_name = "Tài khoản và vai trò"

    def ready(self) -> None:
        from thanhhoa_kpi.accounts import loaders  # noqa: F401  (registers fixture loaders)
