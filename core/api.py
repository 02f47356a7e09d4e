"""What every API operation shares: cursor pagination and the one error shape.

Errors are ``{"code": ..., "message": ..., "field": ..., "field_errors": {name: [messages]}}``
(``field`` and ``field_errors`` only when they apply); ``ErrorSerializer`` documents it in the
schema. Lists are cursor-paginated: ``{"next": url|null, "previous": url|null, "results": [...]}``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import exceptions, serializers
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class Cursor(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    field = serializers.CharField(required=False)
    field_errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


def paginated(
    view: APIView,
    request: Request,
    queryset: QuerySet[Any],
    serializer: type[serializers.Serializer],
    *,
    ordering: str = "-id",
) -> Response:
    """One cursor page of ``queryset`` serialized with ``serializer``."""
    paginator = Cursor()
    paginator.ordering = ordering
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer(page, many=True).data)


def routed(name: str, **views: type[APIView]) -> type[APIView]:
    """One path, one APIView per operation (``routed("Contracts", get=ContractListApi,
    post=ContractCreateApi)``): a class with each method taken from its operation's view, and
    that view's permissions and parsers, so the schema documents every operation of the path."""
    by_method = {method.lower(): view for method, view in views.items()}

    def _view_for(self: APIView) -> type[APIView]:
        method = (getattr(self.request, "method", "") or "GET").lower()
        if method in ("head", "options"):
            method = "get" if "get" in by_method else next(iter(by_method))
        return by_method.get(method) or next(iter(by_method.values()))

    def get_permissions(self: APIView) -> list[Any]:
        return [permission() for permission in _view_for(self).permission_classes]

    def get_parsers(self: APIView) -> list[Any]:
        return [parser() for parser in _view_for(self).parser_classes]

    def initial(self: APIView, request: Request, *args: Any, **kwargs: Any) -> None:
        # A method the path does not have is 405 before anyone is asked who they are.
        method = (request.method or "").lower()
        if method not in self.http_method_names:
            raise exceptions.MethodNotAllowed(request.method or "")
        APIView.initial(self, request, *args, **kwargs)

    attrs: dict[str, Any] = {
        "__doc__": " ".join(f"{m.upper()}: {(v.__doc__ or '').strip()}" for m, v in by_method.items()),
        "__module__": next(iter(by_method.values())).__module__,
        "get_permissions": get_permissions,
        "get_parsers": get_parsers,
        "initial": initial,
        "http_method_names": [*by_method, "head", "options"],
    }
    for method, view in by_method.items():
        attrs[method] = getattr(view, method)
    return type(name, tuple(dict.fromkeys(by_method.values())), attrs)
