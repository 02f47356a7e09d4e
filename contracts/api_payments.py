"""System API for payments: post (with an ``Idempotency-Key``), reverse, list and read.

Posting is idempotent twice over: the ``Idempotency-Key`` header (the same key and body get the
very same answer again, stored with the payment in one transaction) and the payment's own
(channel, reference) uniqueness (the same payment sent under a new key is not posted again:
200 with the original instead of 201).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_filters
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api_auth import HasScope
from accounts.idempotency import HEADER, idempotent
from core.api import AmountField, AwareDateTimeField, Cursor, ErrorSerializer

from .api_serializers import PaymentSerializer
from .choices import PaymentStatus
from .models import Payment
from .selectors_api import contract_get_by_number, payment_get_for_api, payments_for_api
from .services import payment_post, payment_reverse

ERRORS = {400: ErrorSerializer, 401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}
IDEMPOTENCY_KEY = OpenApiParameter(
    HEADER,
    str,
    location=OpenApiParameter.HEADER,
    required=True,
    description="A unique key per payment (e.g. a UUID). A repeat with the same key and body returns the first answer.",
)


def _actor(request: Request) -> Any:
    return request.user if request.user and request.user.is_authenticated else None


class PaymentFilter(django_filters.FilterSet):
    contract = django_filters.CharFilter(field_name="contract__number")
    channel = django_filters.CharFilter()
    reference = django_filters.CharFilter(field_name="external_reference")
    status = django_filters.ChoiceFilter(choices=PaymentStatus.choices)
    business_date_from = django_filters.DateFilter(field_name="business_date", lookup_expr="gte")
    business_date_to = django_filters.DateFilter(field_name="business_date", lookup_expr="lte")

    class Meta:
        model = Payment
        fields: list[str] = []


class PaymentListApi(generics.ListAPIView):
    """GET: payments, newest first, filtered; cursor pages."""

    permission_classes = [HasScope("contracts:read")]
    serializer_class = PaymentSerializer
    filterset_class = PaymentFilter
    pagination_class = Cursor

    def get_queryset(self) -> QuerySet[Payment]:
        return payments_for_api()

    @extend_schema(operation_id="payments_list", responses={200: PaymentSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class PaymentPostApi(APIView):
    """POST: post a payment to a contract; it is allocated by the contract's order at once."""

    permission_classes = [HasScope("payments:write")]

    class PaymentInputSerializer(serializers.Serializer):
        contract = serializers.CharField(max_length=40, help_text="The contract number.")
        amount = AmountField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"), coerce_to_string=True)
        channel = serializers.RegexField(r"^[a-z0-9_.-]{1,30}$", help_text="e.g. bank_transfer, alipay")
        reference = serializers.CharField(max_length=100, help_text="The channel's own transaction id.")
        received_at = AwareDateTimeField(required=False, help_text="ISO 8601 with offset; default now.")

    @extend_schema(
        operation_id="payments_create",
        request=PaymentInputSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: PaymentSerializer,
            200: PaymentSerializer,
            409: ErrorSerializer,
            422: ErrorSerializer,
            **ERRORS,
        },
    )
    def post(self, request: Request) -> Response:
        serializer = self.PaymentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(serializer.validated_data)
        received_at = data.get("received_at") or timezone.now()

        def run(key: str) -> tuple[int, dict[str, Any]]:
            contract = contract_get_by_number(number=data["contract"])
            payment, created = payment_post(
                actor=_actor(request),
                contract_id=contract.pk,
                channel=data["channel"],
                external_reference=data["reference"],
                amount=data["amount"],
                received_at=received_at,
            )
            return (201 if created else 200), dict(PaymentSerializer(payment_get_for_api(pk=payment.pk)).data)

        identity = {k: str(v) for k, v in data.items()}
        return idempotent(request, operation="payments.create", data=identity, run=run)


class PaymentDetailApi(APIView):
    """GET: one payment."""

    permission_classes = [HasScope("contracts:read")]

    @extend_schema(operation_id="payments_retrieve", responses={200: PaymentSerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        return Response(PaymentSerializer(payment_get_for_api(pk=pk)).data)


class PaymentReverseApi(APIView):
    """POST: reverse a bounced or failed payment; the ledger is replayed without it. Reversing a
    reversed payment changes nothing and answers the same."""

    permission_classes = [HasScope("payments:write")]

    class PaymentReverseInputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=200)

    @extend_schema(
        operation_id="payments_reverse",
        request=PaymentReverseInputSerializer,
        responses={200: PaymentSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        serializer = self.PaymentReverseInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payment_get_for_api(pk=pk)
        with transaction.atomic():
            payment_reverse(actor=_actor(request), payment_id=pk, reason=serializer.validated_data["reason"])  # type: ignore[index]
        return Response(PaymentSerializer(payment_get_for_api(pk=pk)).data)
