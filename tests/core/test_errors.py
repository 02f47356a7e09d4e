"""One adapter from a coded error to a form, one JSON shape in the API."""

from __future__ import annotations

from django import forms
from rest_framework.test import APIRequestFactory

from core.errors import ApplicationError, ConflictError, ForbiddenError, NotFoundError
from core.forms import form_add_application_error
from portal.api import api_exception_handler


class AmountForm(forms.Form):
    amount = forms.CharField(required=False)


def test_error_with_a_known_field_goes_on_that_field():
    form = AmountForm({"amount": "x"})
    assert form.is_valid()
    form_add_application_error(form, ApplicationError(code="invalid_amount", message="Bad amount", field="amount"))
    assert form.errors == {"amount": ["Bad amount"]}


def test_error_without_a_field_or_with_an_unknown_one_goes_on_the_form():
    form = AmountForm({"amount": "1"})
    assert form.is_valid()
    form_add_application_error(form, ApplicationError(code="a", message="First"))
    form_add_application_error(form, ApplicationError(code="b", message="Second", field="no_such_field"))
    assert form.non_field_errors() == ["First", "Second"]


def test_api_handler_answers_with_code_message_field_and_status():
    request = APIRequestFactory().get("/")
    for exc, status in (
        (ApplicationError(code="x", message="m", field="amount"), 400),
        (NotFoundError(code="nf", message="gone"), 404),
        (ForbiddenError(code="fb", message="no"), 403),
        (ConflictError(code="cf", message="state"), 409),
    ):
        response = api_exception_handler(exc, {"request": request})
        assert response is not None and response.status_code == status
        assert response.data["code"] == exc.code and response.data["message"] == exc.message
        assert response.data.get("field") == exc.field


def test_codes_may_be_enums_and_are_stored_as_their_strings():
    from payments.codes import PaymentsError

    exc = ApplicationError(code=PaymentsError.NOTHING_DUE, message="m")
    assert exc.code == "nothing_due" and type(exc.code) is str
