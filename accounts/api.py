"""System API for customers (create, list, read — contact details masked) and for a client's
own webhook endpoints (register, list, change, remove)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import Cursor, ErrorSerializer
from core.errors import ForbiddenError, NotFoundError

from .api_auth import HasScope, request_token
from .codes import AccountsError
from .masking import mask_email
from .models import CustomerProfile, Jurisdiction, Language
from .models_api import ApiClient, WebhookEndpoint, WebhookEventType
from .services import customer_create
from .services.api_access import webhook_endpoint_create, webhook_endpoint_delete, webhook_endpoint_update

ERRORS = {400: ErrorSerializer, 401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


def _actor(request: Request) -> Any:
    return request.user if request.user and request.user.is_authenticated else None


class CustomerSerializer(serializers.Serializer):
    number = serializers.CharField(source="customer_number")
    name = serializers.CharField(source="masked_name", help_text="Masked; the full name is not returned.")
    phone = serializers.CharField(source="masked_phone")
    email = serializers.SerializerMethodField()
    jurisdiction = serializers.CharField()
    language = serializers.CharField()
    timezone = serializers.CharField()
    created_at = serializers.DateTimeField()

    def get_email(self, profile: CustomerProfile) -> str:
        return mask_email(profile.email)


class CustomerFilter(django_filters.FilterSet):
    number = django_filters.CharFilter(field_name="customer_number")
    jurisdiction = django_filters.ChoiceFilter(choices=Jurisdiction.choices)

    class Meta:
        model = CustomerProfile
        fields: list[str] = []


class CustomerListApi(generics.ListAPIView):
    """GET: customers, newest first; cursor pages."""

    permission_classes = [HasScope("contracts:read")]
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter
    pagination_class = Cursor

    def get_queryset(self) -> QuerySet[CustomerProfile]:
        return CustomerProfile.objects.all()

    @extend_schema(operation_id="customers_list", responses={200: CustomerSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class CustomerCreateApi(APIView):
    """POST: open a customer (no password: the customer signs in with a one-time SMS code)."""

    permission_classes = [HasScope("contracts:write")]

    class CustomerInputSerializer(serializers.Serializer):
        legal_name = serializers.CharField(max_length=150)
        email = serializers.EmailField(required=False, allow_blank=True)
        phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
        national_id = serializers.CharField(required=False, allow_blank=True, max_length=30)
        postal_address = serializers.CharField(required=False, allow_blank=True, max_length=500)
        timezone = serializers.CharField(required=False, max_length=64, default="Asia/Shanghai")
        language = serializers.ChoiceField(choices=Language.choices, required=False, default=Language.ZH_HANS)
        jurisdiction = serializers.ChoiceField(choices=Jurisdiction.choices, required=False, default=Jurisdiction.CN)

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if not attrs.get("email") and not attrs.get("phone"):
                raise serializers.ValidationError(_("Give an email address or a mobile number."))
            return attrs

    @extend_schema(
        operation_id="customers_create", request=CustomerInputSerializer, responses={201: CustomerSerializer, **ERRORS}
    )
    def post(self, request: Request) -> Response:
        serializer = self.CustomerInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(serializer.validated_data)
        profile = customer_create(actor=_actor(request), password=None, **data)
        return Response(CustomerSerializer(profile).data, status=201)


class CustomerDetailApi(APIView):
    """GET: one customer by number."""

    permission_classes = [HasScope("contracts:read")]

    @extend_schema(operation_id="customers_retrieve", responses={200: CustomerSerializer, **ERRORS})
    def get(self, request: Request, number: str) -> Response:
        profile = CustomerProfile.objects.filter(customer_number=number).first()
        if profile is None:
            raise NotFoundError(code=AccountsError.CUSTOMER_NOT_FOUND, message=_("Customer not found."))
        return Response(CustomerSerializer(profile).data)


# --- webhooks --------------------------------------------------------------------------------
class WebhookSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.URLField()
    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEventType.choices))
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(help_text="The signing secret; shown only in this answer.")


class WebhookInputSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEventType.choices), allow_empty=False, max_length=20
    )
    is_active = serializers.BooleanField(required=False, default=True)


def _client(request: Request) -> ApiClient:
    token = request_token(request)
    if token is None:
        raise ForbiddenError(
            code=AccountsError.API_TOKEN_INVALID, message=_("Webhooks belong to an API client: use its token.")
        )
    return token.client


def _endpoint(request: Request, pk: int) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.filter(pk=pk, client=_client(request)).first()
    if endpoint is None:
        raise NotFoundError(code=AccountsError.WEBHOOK_NOT_FOUND, message=_("Webhook not found."))
    return endpoint


class WebhookListApi(APIView):
    """GET: the client's webhook endpoints."""

    permission_classes = [HasScope("events:read")]

    @extend_schema(operation_id="webhooks_list", responses={200: WebhookSerializer(many=True), **ERRORS})
    def get(self, request: Request) -> Response:
        endpoints = WebhookEndpoint.objects.filter(client=_client(request)).order_by("id")
        return Response(WebhookSerializer(endpoints, many=True).data)


class WebhookCreateApi(APIView):
    """POST: register a URL for some events; the answer carries the signing secret, once."""

    permission_classes = [HasScope("events:read")]

    @extend_schema(
        operation_id="webhooks_create",
        request=WebhookInputSerializer,
        responses={201: WebhookCreatedSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        serializer = WebhookInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(serializer.validated_data)
        endpoint, secret = webhook_endpoint_create(
            actor=_actor(request), client=_client(request), url=data["url"], events=data["events"]
        )
        body = dict(WebhookSerializer(endpoint).data)
        return Response({**body, "secret": secret}, status=201)


class WebhookDetailApi(APIView):
    """GET: one endpoint of the client."""

    permission_classes = [HasScope("events:read")]

    @extend_schema(operation_id="webhooks_retrieve", responses={200: WebhookSerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        return Response(WebhookSerializer(_endpoint(request, pk)).data)


class WebhookUpdateApi(APIView):
    """PUT: change an endpoint's URL, events or whether it is active (the secret stays)."""

    permission_classes = [HasScope("events:read")]

    @extend_schema(
        operation_id="webhooks_update", request=WebhookInputSerializer, responses={200: WebhookSerializer, **ERRORS}
    )
    def put(self, request: Request, pk: int) -> Response:
        endpoint = _endpoint(request, pk)
        serializer = WebhookInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(serializer.validated_data)
        endpoint = webhook_endpoint_update(
            actor=_actor(request),
            endpoint=endpoint,
            url=data["url"],
            events=data["events"],
            is_active=data["is_active"],
        )
        return Response(WebhookSerializer(endpoint).data)


class WebhookDeleteApi(APIView):
    """DELETE: remove an endpoint (its undelivered events go with it)."""

    permission_classes = [HasScope("events:read")]

    @extend_schema(operation_id="webhooks_destroy", responses={204: None, **ERRORS})
    def delete(self, request: Request, pk: int) -> Response:
        webhook_endpoint_delete(actor=_actor(request), client=_client(request), endpoint_id=pk)
        return Response(status=204)
