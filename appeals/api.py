"""Cases API for the logged-in customer (session authentication): file, list, read one.

One APIView per operation with nested Input/Output serializers; coded service errors
become 400/404 answers through ``portal.api.api_exception_handler``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import customer_profile_for_user
from contracts.evidence import MAX_EVIDENCE_FILES
from core.http_limits import LimitedJSONParser

from .models import Case, CaseKind, CaseStatus, Category, FiledVia
from .selectors import case_get_for_customer, cases_for_customer
from .services import case_file

DECIDED = (CaseStatus.RESOLVED, CaseStatus.CLOSED, CaseStatus.APPEAL_REVIEW, CaseStatus.FINAL)


class IsCustomer(BasePermission):
    message = "Only customers can use this endpoint."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and hasattr(user, "customer_profile"))


class CaseOutputSerializer(serializers.Serializer):
    """What the customer may see of a case (no internal notes, reviewers or pending remedies)."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    kind = serializers.CharField()
    category = serializers.CharField()
    status = serializers.CharField()
    contract = serializers.SerializerMethodField()
    disputed_amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    submitted_at = serializers.DateTimeField()
    acknowledge_due_at = serializers.DateTimeField()
    resolve_due_at = serializers.DateTimeField()
    outcome = serializers.SerializerMethodField()
    reasons = serializers.SerializerMethodField()
    can_appeal = serializers.SerializerMethodField()

    def get_contract(self, case: Case) -> str | None:
        return case.contract.number if case.contract else None

    def get_outcome(self, case: Case) -> str | None:
        return case.outcome if case.status in DECIDED else None

    def get_reasons(self, case: Case) -> str | None:
        return case.reasons if case.status in DECIDED else None

    def get_can_appeal(self, case: Case) -> bool:
        return case.can_appeal()


class CaseFileApi(APIView):
    """POST: file a dispute, complaint, hardship request or appeal (multipart with
    ``evidence`` files, or JSON without files)."""

    authentication_classes = [SessionAuthentication]  # the customer's own portal session
    permission_classes = [IsAuthenticated, IsCustomer]
    parser_classes = [MultiPartParser, FormParser, LimitedJSONParser]

    class CaseFileInputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=CaseKind.choices)
        category = serializers.ChoiceField(choices=Category.choices)
        contract = serializers.IntegerField(required=False, allow_null=True, min_value=1)
        description = serializers.CharField(max_length=4000)
        disputed_amount = serializers.DecimalField(
            max_digits=14, decimal_places=2, required=False, allow_null=True, min_value=Decimal("0")
        )
        evidence = serializers.ListField(
            child=serializers.FileField(), required=False, max_length=MAX_EVIDENCE_FILES, allow_empty=True
        )

    OutputSerializer = CaseOutputSerializer

    InputSerializer = CaseFileInputSerializer

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = serializer.validated_data  # type: ignore[assignment]
        profile = customer_profile_for_user(user=request.user)  # type: ignore[arg-type]
        case = case_file(
            actor=request.user,  # type: ignore[arg-type]
            customer=profile,
            kind=data["kind"],
            category=data["category"],
            description=data["description"],
            filed_via=FiledVia.API,
            contract_id=data.get("contract"),
            disputed_amount=data.get("disputed_amount"),
            evidence=data.get("evidence") or [],
        )
        return Response(self.OutputSerializer(case).data, status=status.HTTP_201_CREATED)


class CaseListApi(APIView):
    """GET: the customer's own cases, newest first."""

    authentication_classes = [SessionAuthentication]  # the customer's own portal session
    permission_classes = [IsAuthenticated, IsCustomer]

    OutputSerializer = CaseOutputSerializer

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        profile = customer_profile_for_user(user=request.user)  # type: ignore[arg-type]
        cases = cases_for_customer(profile=profile)
        return Response(self.OutputSerializer(cases, many=True).data)


class CaseDetailApi(APIView):
    """GET: one of the customer's cases (another customer's answers 404)."""

    authentication_classes = [SessionAuthentication]  # the customer's own portal session
    permission_classes = [IsAuthenticated, IsCustomer]

    class CaseDetailOutputSerializer(CaseOutputSerializer):
        evidence = serializers.SerializerMethodField()
        timeline = serializers.SerializerMethodField()

        def get_evidence(self, case: Case) -> list[dict[str, Any]]:
            return [
                {"id": item.pk, "name": item.original_name, "content_type": item.content_type, "size": item.size}
                for item in case.evidence_items  # type: ignore[attr-defined]
            ]

        def get_timeline(self, case: Case) -> list[dict[str, Any]]:
            return [
                {"at": event.at.isoformat(), "kind": event.kind, "text": event.text}
                for event in case.visible_events  # type: ignore[attr-defined]
            ]

    OutputSerializer = CaseDetailOutputSerializer

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        profile = customer_profile_for_user(user=request.user)  # type: ignore[arg-type]
        case = case_get_for_customer(profile=profile, pk=pk)
        return Response(self.OutputSerializer(case).data)
