"""The one adapter from a coded error to a form error (every form view uses it)."""

from __future__ import annotations

from django import forms

from .errors import ApplicationError


def form_add_application_error(form: forms.Form, exc: ApplicationError) -> None:
    """Attach ``exc`` to the field it names when the form has that field, else to the form."""
    field = exc.field if exc.field and exc.field in form.fields else None
    form.add_error(field, exc.message)
