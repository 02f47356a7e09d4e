"""``/api/v1/``: every operation of the system API (one APIView per operation; a path with
several methods routes each to its own view), the customers' own cases API, and the schema
with Swagger UI and Redoc served from vendored files."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from accounts.api import (
    CustomerCreateApi,
    CustomerDetailApi,
    CustomerListApi,
    WebhookCreateApi,
    WebhookDeleteApi,
    WebhookDetailApi,
    WebhookListApi,
    WebhookUpdateApi,
)
from appeals.api_partner import AppealCreateApi, AppealDetailApi, AppealListApi
from contracts.api import (
    ContractBalanceApi,
    ContractBulkCreateApi,
    ContractCreateApi,
    ContractDetailApi,
    ContractListApi,
    ContractPayoffQuoteApi,
    DelinquencyEventListApi,
    ServiceEligibilityApi,
)
from contracts.api_imports import ImportCreateApi, ImportDetailApi
from contracts.api_payments import PaymentDetailApi, PaymentListApi, PaymentPostApi, PaymentReverseApi
from core.api import routed
from notices.api import NoticeDetailApi, NoticeListApi

urlpatterns: list[URLPattern | URLResolver] = [
    path("customers", routed("CustomersApi", get=CustomerListApi, post=CustomerCreateApi).as_view(), name="customers"),
    path("customers/<str:number>", CustomerDetailApi.as_view(), name="customer"),
    path("contracts", routed("ContractsApi", get=ContractListApi, post=ContractCreateApi).as_view(), name="contracts"),
    path("contracts/bulk", ContractBulkCreateApi.as_view(), name="contracts_bulk"),
    path("contracts/<str:number>", ContractDetailApi.as_view(), name="contract"),
    path("contracts/<str:number>/balance", ContractBalanceApi.as_view(), name="contract_balance"),
    path("contracts/<str:number>/payoff-quote", ContractPayoffQuoteApi.as_view(), name="contract_payoff_quote"),
    path("payments", routed("PaymentsApi", get=PaymentListApi, post=PaymentPostApi).as_view(), name="payments"),
    path("payments/<int:pk>", PaymentDetailApi.as_view(), name="payment"),
    path("payments/<int:pk>/reverse", PaymentReverseApi.as_view(), name="payment_reverse"),
    path("service-eligibility", ServiceEligibilityApi.as_view(), name="service_eligibility"),
    path("notices", NoticeListApi.as_view(), name="notices"),
    path("notices/<int:pk>", NoticeDetailApi.as_view(), name="notice"),
    path("appeals", routed("AppealsApi", get=AppealListApi, post=AppealCreateApi).as_view(), name="appeals"),
    path("appeals/<str:reference>", AppealDetailApi.as_view(), name="appeal"),
    path("imports", ImportCreateApi.as_view(), name="imports"),
    path("imports/<int:pk>", ImportDetailApi.as_view(), name="import"),
    path("delinquency-events", DelinquencyEventListApi.as_view(), name="delinquency_events"),
    path("webhooks", routed("WebhooksApi", get=WebhookListApi, post=WebhookCreateApi).as_view(), name="webhooks"),
    path(
        "webhooks/<int:pk>",
        routed("WebhookApi", get=WebhookDetailApi, put=WebhookUpdateApi, delete=WebhookDeleteApi).as_view(),
        name="webhook",
    ),
]
