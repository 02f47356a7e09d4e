"""System API for contracts: create one, bulk create, list and read with balances, the balance
and payoff quote as of a date, service eligibility and delinquency events.

One view per operation, thin: validate the input, call one selector or service, serialize.
Scopes: reading needs ``contracts:read`` (or a write scope), creating ``contracts:write``,
eligibility ``eligibility:read``, events ``events:read``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import django_filters
import tablib
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api_auth import HasScope
from accounts.models import CustomerProfile
from core.api import AmountField, Cursor, ErrorSerializer
from core.errors import ApplicationError, NotFoundError

from .api_serializers import (
    BalanceSerializer,
    ContractDetailSerializer,
    ContractSerializer,
    DelinquencyEventSerializer,
    PayoffQuoteSerializer,
    payoff_quote_data,
)
from .choices import ContractStatus, ServiceState
from .codes import ContractsError
from .imports import COLUMNS, CONTRACTS, contracts_import
from .models import Contract, DelinquencyTransition, Product, TermsVersion
from .selectors import service_eligibility
from .selectors_api import contract_balance_on, contract_get_by_number, contracts_for_api, delinquency_events_for_api
from .services import contract_create

BULK_MAX = 1000
ERRORS = {400: ErrorSerializer, 401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


def _actor(request: Request) -> Any:
    return request.user if request.user and request.user.is_authenticated else None


class ContractFilter(django_filters.FilterSet):
    customer = django_filters.CharFilter(field_name="customer__customer_number")
    product = django_filters.CharFilter(field_name="product__code")
    status = django_filters.ChoiceFilter(choices=ContractStatus.choices)
    service_state = django_filters.ChoiceFilter(choices=ServiceState.choices)
    start_date_from = django_filters.DateFilter(field_name="start_date", lookup_expr="gte")
    start_date_to = django_filters.DateFilter(field_name="start_date", lookup_expr="lte")

    class Meta:
        model = Contract
        fields: list[str] = []


class ContractInputSerializer(serializers.Serializer):
    customer = serializers.CharField(max_length=20, help_text="The customer's number.")
    product = serializers.CharField(max_length=40, help_text="The product's code.")
    terms_version = serializers.IntegerField(min_value=1, required=False, help_text="Default: the latest.")
    principal = AmountField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"), coerce_to_string=True)
    term = serializers.IntegerField(min_value=1, max_value=600)
    start_date = serializers.DateField()
    first_due_date = serializers.DateField(required=False)
    number = serializers.CharField(max_length=40, required=False, help_text="Default: a number is given.")


class ContractListApi(generics.ListAPIView):
    """GET: contracts, newest first, filtered; cursor pages."""

    permission_classes = [HasScope("contracts:read")]
    serializer_class = ContractSerializer
    filterset_class = ContractFilter
    pagination_class = Cursor

    def get_queryset(self) -> QuerySet[Contract]:
        return contracts_for_api()

    @extend_schema(operation_id="contracts_list", responses={200: ContractSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class ContractCreateApi(APIView):
    """POST: open one contract on a product's published terms."""

    permission_classes = [HasScope("contracts:write")]

    @extend_schema(
        operation_id="contracts_create",
        request=ContractInputSerializer,
        responses={201: ContractSerializer, 409: ErrorSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        serializer = ContractInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(serializer.validated_data)
        customer = CustomerProfile.objects.filter(customer_number=data["customer"]).first()
        if customer is None:
            raise ApplicationError(
                code=ContractsError.CUSTOMER_UNKNOWN, message=_("No customer has this number."), field="customer"
            )
        product = Product.objects.filter(code=data["product"]).first()
        if product is None:
            raise ApplicationError(
                code=ContractsError.PRODUCT_UNKNOWN, message=_("No product has this code."), field="product"
            )
        versions = TermsVersion.objects.filter(product=product)
        if data.get("terms_version"):
            versions = versions.filter(version=data["terms_version"])
        terms = versions.order_by("-version").first()
        if terms is None:
            raise ApplicationError(
                code=ContractsError.TERMS_UNKNOWN,
                message=_("This product has no such terms version."),
                field="terms_version",
            )
        if data.get("number") and Contract.objects.filter(number=data["number"]).exists():
            raise ApplicationError(
                code=ContractsError.NUMBER_TAKEN,
                message=_("A contract with this number already exists."),
                field="number",
            )
        if data.get("first_due_date") and data["first_due_date"] <= data["start_date"]:
            raise ApplicationError(
                code=ContractsError.FIRST_DUE_BEFORE_START,
                message=_("The first due date must be after the start date."),
                field="first_due_date",
            )
        contract = contract_create(
            actor=_actor(request),
            customer=customer,
            terms=terms,
            principal=data["principal"],
            term=data["term"],
            start_date=data["start_date"],
            first_due_date=data.get("first_due_date"),
            number=data.get("number") or None,
        )
        return Response(ContractSerializer(contract_get_by_number(number=contract.number)).data, status=201)


class BulkRowErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the contract in the request (from 0).")
    field = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField()


class BulkErrorSerializer(ErrorSerializer):
    """The error shape with ``errors``: every failing row (nothing was created). The field is
    added in ``get_fields`` because ``errors`` is a serializer's own attribute."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["errors"] = BulkRowErrorSerializer(many=True, required=False)
        return fields


class ContractBulkCreateApi(APIView):
    """POST: open up to 1,000 contracts, all or nothing (every row checked first)."""

    permission_classes = [HasScope("contracts:write")]

    class BulkContractsInputSerializer(serializers.Serializer):
        contracts = ContractInputSerializer(many=True, allow_empty=False, max_length=BULK_MAX)  # type: ignore[call-arg]

    class BulkContractsCreatedSerializer(serializers.Serializer):
        created = serializers.IntegerField()
        contracts = serializers.ListField(child=serializers.CharField(), help_text="Numbers, in request order.")

    @extend_schema(
        operation_id="contracts_bulk_create",
        request=BulkContractsInputSerializer,
        responses={
            201: BulkContractsCreatedSerializer,
            400: BulkErrorSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
        },
    )
    def post(self, request: Request) -> Response:
        serializer = self.BulkContractsInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rows: list[dict[str, Any]] = serializer.validated_data["contracts"]  # type: ignore[index]
        dataset = tablib.Dataset(headers=[name for name, _r, _l in COLUMNS[CONTRACTS]])
        for row in rows:
            dataset.append(
                [
                    row["customer"],
                    row["product"],
                    str(row.get("terms_version") or ""),
                    str(row["principal"]),
                    str(row["term"]),
                    row["start_date"].isoformat(),
                    row["first_due_date"].isoformat() if row.get("first_due_date") else "",
                    row.get("number") or "",
                ]
            )
        report = contracts_import(actor=_actor(request), kind=CONTRACTS, dataset=dataset, dry_run=False)
        if not report.committed:
            names = {"customer_number": "customer", "product_code": "product", "contract_number": "number"}
            errors = [
                {"index": e.row - 2, "field": names.get(e.column, e.column), "code": e.code, "message": e.message}
                for e in report.errors
            ]
            return Response(
                {"code": "bulk_invalid", "message": _("Nothing was created: fix the rows listed."), "errors": errors},
                status=status.HTTP_400_BAD_REQUEST,
            )
        numbers = [r.reference for r in sorted(report.rows, key=lambda r: r.row)]
        return Response({"created": len(numbers), "contracts": numbers}, status=201)


class ContractDetailApi(APIView):
    """GET: one contract with its balance today and its installments."""

    permission_classes = [HasScope("contracts:read")]

    @extend_schema(operation_id="contracts_retrieve", responses={200: ContractDetailSerializer, **ERRORS})
    def get(self, request: Request, number: str) -> Response:
        contract = contract_get_by_number(number=number)
        balance = contract_balance_on(contract=contract, on=timezone.localdate())
        return Response(ContractDetailSerializer(contract, context={"balance": balance}).data)


AS_OF = OpenApiParameter("as_of", dt.date, description="ISO date; default today (Asia/Shanghai).")


class AsOfSerializer(serializers.Serializer):
    as_of = serializers.DateField(required=False)


def _as_of(request: Request) -> dt.date:
    serializer = AsOfSerializer(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data.get("as_of") or timezone.localdate()  # type: ignore[union-attr]


class ContractBalanceApi(APIView):
    """GET: the balance at the start of a date (charges accrued through the day before)."""

    permission_classes = [HasScope("contracts:read")]

    @extend_schema(operation_id="contracts_balance", parameters=[AS_OF], responses={200: BalanceSerializer, **ERRORS})
    def get(self, request: Request, number: str) -> Response:
        on = _as_of(request)
        contract = contract_get_by_number(number=number)
        balance = contract_balance_on(contract=contract, on=on)
        return Response(BalanceSerializer(balance, context={"currency": contract.currency}).data)


class ContractPayoffQuoteApi(APIView):
    """GET: what settles the contract on a date (interest not yet due is not owed)."""

    permission_classes = [HasScope("contracts:read")]

    @extend_schema(
        operation_id="contracts_payoff_quote", parameters=[AS_OF], responses={200: PayoffQuoteSerializer, **ERRORS}
    )
    def get(self, request: Request, number: str) -> Response:
        on = _as_of(request)
        contract = contract_get_by_number(number=number)
        balance = contract_balance_on(contract=contract, on=on)
        return Response(PayoffQuoteSerializer(payoff_quote_data(contract=contract, balance=balance)).data)


class EligibilitySerializer(serializers.Serializer):
    customer = serializers.CharField(allow_null=True)
    contract = serializers.CharField(allow_null=True, help_text="The contract that decides the answer.")
    state = serializers.ChoiceField(choices=ServiceState.choices)
    may_dispatch = serializers.BooleanField()
    since = serializers.DateField(allow_null=True)
    effective_date = serializers.DateField(allow_null=True, help_text="When a notified suspension takes effect.")
    reason = serializers.CharField()


class ServiceEligibilityApi(APIView):
    """GET: may field service be dispatched to this customer (or contract)? ``suspended`` says no."""

    permission_classes = [HasScope("eligibility:read")]

    class EligibilityQuerySerializer(serializers.Serializer):
        customer = serializers.CharField(required=False, max_length=20, help_text="The customer's number.")
        contract = serializers.CharField(required=False, max_length=40, help_text="A contract number.")

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if not attrs.get("customer") and not attrs.get("contract"):
                raise serializers.ValidationError(_("Give a customer or a contract."))
            return attrs

    @extend_schema(
        operation_id="service_eligibility",
        parameters=[EligibilityQuerySerializer],
        responses={200: EligibilitySerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        query = self.EligibilityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params: dict[str, Any] = dict(query.validated_data)
        if params.get("contract"):
            contract = contract_get_by_number(number=params["contract"])
            if params.get("customer") and contract.customer.customer_number != params["customer"]:
                raise NotFoundError(code=ContractsError.CONTRACT_NOT_FOUND, message=_("Contract not found."))
            answer = service_eligibility(contract=contract)
            customer_number = contract.customer.customer_number
        else:
            # Only what the answer needs: the profile's personal fields are encrypted and not read here.
            customer = (
                CustomerProfile.objects.filter(customer_number=params["customer"]).only("customer_number").first()
            )
            if customer is None:
                raise NotFoundError(code=ContractsError.CUSTOMER_UNKNOWN, message=_("No customer has this number."))
            answer = service_eligibility(customer=customer)
            customer_number = customer.customer_number
        body = {
            "customer": customer_number,
            "contract": answer.contract_number or None,
            "state": answer.state,
            "may_dispatch": answer.may_dispatch,
            "since": answer.since,
            "effective_date": answer.effective_date,
            "reason": answer.reason,
        }
        return Response(EligibilitySerializer(body).data)


class DelinquencyEventFilter(django_filters.FilterSet):
    contract = django_filters.CharFilter(field_name="contract__number")
    customer = django_filters.CharFilter(field_name="contract__customer__customer_number")
    event = django_filters.ChoiceFilter(
        choices=[(e, e) for e in ("became_delinquent", "cured", "charged_off", "paid_off")]
    )
    on_date_from = django_filters.DateFilter(field_name="on_date", lookup_expr="gte")
    on_date_to = django_filters.DateFilter(field_name="on_date", lookup_expr="lte")

    class Meta:
        model = DelinquencyTransition
        fields: list[str] = []


class EventCursor(Cursor):
    ordering = "id"  # oldest first: a consumer pages forward and keeps its cursor


class DelinquencyEventListApi(generics.ListAPIView):
    """GET: status changes of contracts (became delinquent, cured, charged off, paid off)."""

    permission_classes = [HasScope("events:read")]
    serializer_class = DelinquencyEventSerializer
    filterset_class = DelinquencyEventFilter
    pagination_class = EventCursor

    def get_queryset(self) -> QuerySet[DelinquencyTransition]:
        return delinquency_events_for_api()

    @extend_schema(
        operation_id="delinquency_events_list", responses={200: DelinquencyEventSerializer(many=True), **ERRORS}
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)
