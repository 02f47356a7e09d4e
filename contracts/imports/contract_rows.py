"""Importing contracts: each row checked, then opened through ``contract_create``."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.utils.translation import gettext as _

from accounts.models import CustomerProfile, User

from ..codes import ContractsError
from ..models import Contract, Product, TermsVersion
from ..services import contract_create
from .columns import _amount, _date, _max_length, _positive_int, _required, _text
from .report import ImportReport, RowResult, _check_each, _RowInvalid


def _contracts_validate(records: list[tuple[int, dict[str, Any]]], report: ImportReport) -> list[tuple[int, dict]]:
    customers = CustomerProfile.objects.in_bulk(
        {_text(v.get("customer_number")) for _row, v in records}, field_name="customer_number"
    )
    products = Product.objects.in_bulk({_text(v.get("product_code")) for _row, v in records}, field_name="code")
    terms: dict[tuple[int, int], TermsVersion] = {}
    latest: dict[int, TermsVersion] = {}
    for version in TermsVersion.objects.filter(product__in=products.values()).select_related("product"):
        terms[(version.product_id, version.version)] = version
        if version.product_id not in latest or version.version > latest[version.product_id].version:
            latest[version.product_id] = version
    numbers = [_text(v.get("contract_number")) for _row, v in records]
    in_file: Counter[str] = Counter(n for n in numbers if n)
    taken = set(Contract.objects.filter(number__in=list(in_file)).values_list("number", flat=True))

    def check(row_number: int, values: dict[str, Any]) -> dict[str, Any]:
        customer = customers.get(_required(values, "customer_number"))
        if customer is None:
            raise _RowInvalid("customer_number", _("No customer has this number."), ContractsError.CUSTOMER_UNKNOWN)
        product = products.get(_required(values, "product_code"))
        if product is None:
            raise _RowInvalid("product_code", _("No product has this code."), ContractsError.PRODUCT_UNKNOWN)
        version_text = _text(values.get("terms_version"))
        if version_text:
            if not version_text.isdigit():
                raise _RowInvalid(
                    "terms_version", _("Enter a whole number such as 12."), ContractsError.INVALID_INTEGER
                )
            accepted = terms.get((product.pk, int(version_text)))
            if accepted is None:
                raise _RowInvalid(
                    "terms_version", _("This product has no such terms version."), ContractsError.TERMS_UNKNOWN
                )
        else:
            accepted = latest.get(product.pk)
            if accepted is None:
                raise _RowInvalid(
                    "terms_version", _("This product has no published terms."), ContractsError.TERMS_UNKNOWN
                )
        principal = _amount(values.get("principal"), "principal")
        term = _positive_int(values.get("term"), "term")
        if not product.min_term <= term <= product.max_term:
            raise _RowInvalid(
                "term",
                _("The term must be between %(low)s and %(high)s months.")
                % {"low": product.min_term, "high": product.max_term},
                ContractsError.TERM_OUT_OF_RANGE,
            )
        start_date = _date(values.get("start_date"), "start_date")
        first_due_date = None
        if _text(values.get("first_due_date")):
            first_due_date = _date(values.get("first_due_date"), "first_due_date")
            if first_due_date <= start_date:
                raise _RowInvalid(
                    "first_due_date",
                    _("The first due date must be after the start date."),
                    ContractsError.FIRST_DUE_BEFORE_START,
                )
        number = _text(values.get("contract_number"))
        if number:
            _max_length(number, "contract_number", 40)
            if number in taken:
                raise _RowInvalid(
                    "contract_number", _("A contract with this number already exists."), ContractsError.NUMBER_TAKEN
                )
            if in_file[number] > 1:
                raise _RowInvalid(
                    "contract_number",
                    _("This contract number appears more than once in the file."),
                    ContractsError.DUPLICATE,
                )
        return {
            "customer": customer,
            "terms": accepted,
            "principal": principal,
            "term": term,
            "start_date": start_date,
            "first_due_date": first_due_date,
            "number": number or None,
        }

    return _check_each(records, report, check)


def _contract_create(actor: User | None, row_number: int, data: dict[str, Any]) -> RowResult:
    contract = contract_create(actor=actor, **data)
    return RowResult(
        row=row_number,
        values=[
            data["customer"].customer_number,
            data["terms"].product.code,
            str(data["terms"].version),
            str(data["principal"]),
            str(data["term"]),
            data["start_date"].isoformat(),
            contract.first_due_date.isoformat(),
            data["number"] or "",
        ],
        reference=contract.number,
    )
