from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cpmis.accounts"
    label = "accounts"
    verbose_name = "Accounts, roles and scopes"
