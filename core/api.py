"""What every API operation shares: cursor pagination and the one error shape.

Errors are ``{"code": ..., "message": ..., "field": ..., "field_errors": {name: [messages]}}``
(``field`` and ``field_errors`` only when they apply); ``ErrorSerializer`` documents it in the
schema. Lists are cursor-paginated: ``{"next": url|null, "previous": url|null, "results": [...]}``.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
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


class AmountField(serializers.DecimalField):
    """An amount as the API documents it: a string (or integer) of digits with at most two
    decimals, such as "1234.50". No exponents ("1e3"), signs, grouping, spaces or other
    scripts' digits: a machine sends the amount exactly or is told it did not."""

    default_error_messages = {"invalid": _('Send the amount as a string such as "1234.50".')}

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, (str, int)) or not _AMOUNT.fullmatch(str(data)):
            self.fail("invalid")
        return super().to_internal_value(str(data))


class AwareDateTimeField(serializers.DateTimeField):
    """ISO 8601 with its UTC offset: a time without one is refused rather than guessed."""

    default_error_messages = {"naive": _("Give the time with its UTC offset, e.g. 2026-02-10T10:00:00+08:00.")}

    def to_internal_value(self, value: Any) -> Any:
        parsed = super().to_internal_value(value)
        if isinstance(value, str) and not _HAS_OFFSET.search(value.strip()):
            self.fail("naive")
        return parsed


_AMOUNT = re.compile(r"[0-9]{1,12}(\.[0-9]{1,2})?")
_HAS_OFFSET = re.compile(r"(Z|[+-][0-9]{2}:?[0-9]{2})$", re.IGNORECASE)
