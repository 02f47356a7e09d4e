"""The schema class of every API view: each operation documents the error answers the API
layer can give (401, 403, 429 … in the one error shape), so a client and a schema-driven test
know every status an operation may answer."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema

from .api import ErrorSerializer

ERROR_STATUSES = {
    "400": "The input is not valid (code, message, field errors).",
    "401": "No or an invalid token or session.",
    "403": "The token lacks the operation's scope, or the account may not use it.",
    "404": "Not found.",
    "405": "Method not allowed.",
    "406": "Not acceptable (the API answers JSON).",
    "415": "Unsupported media type.",
    "429": "Too many requests for this client; retry after the Retry-After header.",
}


class FairdueAutoSchema(AutoSchema):
    """Every operation documents the error answers the API layer can give, in the one shape."""

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, description in ERROR_STATUSES.items():
            if code in responses:
                continue
            if code == "415" and self.method in ("GET", "DELETE"):
                continue
            body = self._get_response_for_code(ErrorSerializer, code, direction=direction)
            body["description"] = description
            responses[code] = body
        return responses
