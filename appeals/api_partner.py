"""System API for disputes, complaints, hardship requests and appeals that lenders' systems
take in (call centre, loan core): file one for a customer, list and read them. Scope
``appeals:write``. A filed dispute puts its contract on hold at once, as on the portal."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api_auth import HasScope
from accounts.models import CustomerProfile
from contracts.models import Contract
from core.api import AmountField, Cursor, ErrorSerializer
from core.errors import NotFoundError

from .api import CaseOutputSerializer
from .codes import AppealsError
from .models import Case, CaseKind, CaseStatus, Category, FiledVia
from .services import case_file

ERRORS = {400: ErrorSerializer, 401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


class PartnerCaseSerializer(CaseOutputSerializer):
    customer = serializers.CharField(source="customer.customer_number")
    filed_via = serializers.CharField()
    related_case = serializers.SerializerMethodField()

    def get_related_case(self, case: Case) -> str | None:
        return case.related_case.reference if case.related_case else None


class CaseFilter(django_filters.FilterSet):
    customer = django_filters.CharFilter(field_name="customer__customer_number")
    contract = django_filters.CharFilter(field_name="contract__number")
    kind = django_filters.ChoiceFilter(choices=CaseKind.choices)
    status = django_filters.ChoiceFilter(choices=CaseStatus.choices)

    class Meta:
        model = Case
        fields: list[str] = []


def cases_for_api() -> QuerySet[Case]:
    return Case.objects.select_related("customer", "contract", "related_case")


class AppealListApi(generics.ListAPIView):
    """GET: cases, newest first, filtered by customer, contract, kind, status."""

    permission_classes = [HasScope("appeals:write")]
    serializer_class = PartnerCaseSerializer
    filterset_class = CaseFilter
    pagination_class = Cursor

    def get_queryset(self) -> QuerySet[Case]:
        return cases_for_api()

    @extend_schema(operation_id="appeals_list", responses={200: PartnerCaseSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class AppealCreateApi(APIView):
    """POST: file a case for a customer (``filed_via`` api)."""

    permission_classes = [HasScope("appeals:write")]

    class CaseInputSerializer(serializers.Serializer):
        customer = serializers.CharField(max_length=20)
        kind = serializers.ChoiceField(choices=CaseKind.choices)
        category = serializers.ChoiceField(choices=Category.choices)
        contract = serializers.CharField(max_length=40, required=False)
        description = serializers.CharField(max_length=4000)
        disputed_amount = AmountField(
            max_digits=14, decimal_places=2, required=False, min_value=Decimal("0"), coerce_to_string=True
        )
        related_case = serializers.CharField(max_length=30, required=False, help_text="An appeal: the decided case.")

    @extend_schema(
        operation_id="appeals_create", request=CaseInputSerializer, responses={201: PartnerCaseSerializer, **ERRORS}
    )
    def post(self, request: Request) -> Response:
        serializer = self.CaseInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(serializer.validated_data)
        customer = CustomerProfile.objects.filter(customer_number=data["customer"]).first()
        if customer is None:
            raise NotFoundError(
                code=AppealsError.CUSTOMER_NOT_FOUND, message=_("Customer not found."), field="customer"
            )
        contract_id = None
        if data.get("contract"):
            contract_id = (
                Contract.objects.filter(number=data["contract"], customer=customer).values_list("pk", flat=True).first()
            )
            if contract_id is None:
                raise NotFoundError(
                    code=AppealsError.CONTRACT_NOT_FOUND, message=_("Contract not found."), field="contract"
                )
        related_id = None
        if data.get("related_case"):
            related_id = (
                Case.objects.filter(reference=data["related_case"], customer=customer)
                .values_list("pk", flat=True)
                .first()
            )
            if related_id is None:
                raise NotFoundError(
                    code=AppealsError.CASE_NOT_FOUND, message=_("Case not found."), field="related_case"
                )
        case = case_file(
            actor=request.user if request.user.is_authenticated else None,  # type: ignore[arg-type]
            customer=customer,
            kind=data["kind"],
            category=data["category"],
            description=data["description"],
            filed_via=FiledVia.API,
            contract_id=contract_id,
            disputed_amount=data.get("disputed_amount"),
            related_case_id=related_id,
        )
        return Response(PartnerCaseSerializer(cases_for_api().get(pk=case.pk)).data, status=201)


class AppealDetailApi(APIView):
    """GET: one case by reference."""

    permission_classes = [HasScope("appeals:write")]

    @extend_schema(operation_id="appeals_retrieve", responses={200: PartnerCaseSerializer, **ERRORS})
    def get(self, request: Request, reference: str) -> Response:
        case = cases_for_api().filter(reference=reference).first()
        if case is None:
            raise NotFoundError(code=AppealsError.CASE_NOT_FOUND, message=_("Case not found."))
        return Response(PartnerCaseSerializer(case).data)
