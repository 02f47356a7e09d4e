"""System API for notices: which notices were written about a customer or contract and where
each stands (pending, sent, delivered, deferred, dropped …). The text and recipient are not
returned: the status is what a lender's system needs."""

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

from accounts.api_auth import HasScope
from core.api import Cursor, ErrorSerializer
from core.errors import NotFoundError

from .codes import NoticesError
from .models import Notice, NoticeStatus

ERRORS = {400: ErrorSerializer, 401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


class NoticeStatusSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    customer = serializers.CharField(source="customer.customer_number")
    contract = serializers.CharField(source="contract.number", allow_null=True, default=None)
    purpose = serializers.CharField()
    channel = serializers.CharField()
    status = serializers.ChoiceField(choices=NoticeStatus.choices)
    reason_codes = serializers.ListField(child=serializers.CharField())
    scheduled_for = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    read_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class NoticeFilter(django_filters.FilterSet):
    customer = django_filters.CharFilter(field_name="customer__customer_number")
    contract = django_filters.CharFilter(field_name="contract__number")
    status = django_filters.ChoiceFilter(choices=NoticeStatus.choices)
    channel = django_filters.CharFilter()
    purpose = django_filters.CharFilter()

    class Meta:
        model = Notice
        fields: list[str] = []


def notices_for_api() -> QuerySet[Notice]:
    return Notice.objects.select_related("customer", "contract").defer("body", "context", "recipient", "subject")


class NoticeListApi(generics.ListAPIView):
    """GET: notices, newest first, filtered by customer, contract, status, channel, purpose."""

    permission_classes = [HasScope("events:read")]
    serializer_class = NoticeStatusSerializer
    filterset_class = NoticeFilter
    pagination_class = Cursor

    def get_queryset(self) -> QuerySet[Notice]:
        return notices_for_api()

    @extend_schema(operation_id="notices_list", responses={200: NoticeStatusSerializer(many=True), **ERRORS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class NoticeDetailApi(APIView):
    """GET: one notice's status."""

    permission_classes = [HasScope("events:read")]

    @extend_schema(operation_id="notices_retrieve", responses={200: NoticeStatusSerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        notice = notices_for_api().filter(pk=pk).first()
        if notice is None:
            raise NotFoundError(code=NoticesError.NOTICE_NOT_FOUND, message=_("Notice not found."))
        return Response(NoticeStatusSerializer(notice).data)
