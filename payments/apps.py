from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    """Online payments: checkout sessions, providers (sandbox, Alipay-style), receipts."""

    name = "payments"
    verbose_name = _("Payments")
