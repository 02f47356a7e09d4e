"""Output shapes of the contracts API: amounts are strings with two decimals, dates ISO."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Contract
from .selectors import Balance


def money() -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)


class SplitSerializer(serializers.Serializer):
    overdue = money()
    due_now = money()
    not_yet_due = money()
    total = money()


class ComponentsSerializer(serializers.Serializer):
    principal = SplitSerializer()
    interest = SplitSerializer()
    penalty = SplitSerializer()
    fee = SplitSerializer()


class InstallmentSerializer(serializers.Serializer):
    seq = serializers.IntegerField(source="row.seq")
    due_date = serializers.DateField(source="row.due_date")
    state = serializers.ChoiceField(choices=["paid", "overdue", "due", "upcoming", "restructured"])
    total_due = money()
    total_outstanding = money()
    outstanding = serializers.DictField(child=money())


class BalanceSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    currency = serializers.SerializerMethodField()
    overdue = money()
    due_now = money()
    not_yet_due = money()
    total = money()
    credit = money()
    payoff = money()
    pay_now = money()
    days_past_due = serializers.IntegerField()
    next_due_date = serializers.DateField(allow_null=True)
    next_due_amount = money()
    components = ComponentsSerializer()

    def get_currency(self, balance: Balance) -> str:
        return str(self.context.get("currency", "CNY"))


class PayoffQuoteSerializer(serializers.Serializer):
    contract = serializers.CharField()
    as_of = serializers.DateField()
    currency = serializers.CharField()
    payoff = money()
    principal = money()
    interest_due = money()
    penalty = money()
    fee = money()
    credit = money()
    interest_not_yet_due_waived = money()


def payoff_quote_data(*, contract: Contract, balance: Balance) -> dict[str, Any]:
    parts = balance.components
    return {
        "contract": contract.number,
        "as_of": balance.as_of,
        "currency": contract.currency,
        "payoff": balance.payoff,
        "principal": parts["principal"].total,
        "interest_due": parts["interest"].overdue + parts["interest"].due_now,
        "penalty": parts["penalty"].total,
        "fee": parts["fee"].total,
        "credit": balance.credit,
        "interest_not_yet_due_waived": parts["interest"].not_yet_due,
    }


class ContractSerializer(serializers.Serializer):
    number = serializers.CharField()
    customer = serializers.CharField(source="customer.customer_number")
    product = serializers.CharField(source="product.code")
    terms_version = serializers.SerializerMethodField()
    currency = serializers.CharField()
    principal = money()
    annual_rate = serializers.DecimalField(max_digits=7, decimal_places=6, coerce_to_string=True)
    term = serializers.IntegerField()
    schedule_method = serializers.CharField()
    start_date = serializers.DateField()
    first_due_date = serializers.DateField()
    status = serializers.CharField()
    days_past_due = serializers.IntegerField()
    bucket = serializers.CharField()
    delinquent_since = serializers.DateField(allow_null=True)
    next_due_date = serializers.DateField(allow_null=True)
    accrued_through = serializers.DateField(allow_null=True)
    principal_outstanding = money()
    credit_balance = money()
    service_state = serializers.CharField()
    created_at = serializers.DateTimeField()

    def get_terms_version(self, contract: Contract) -> int:
        return int(contract.terms.version)


class ContractDetailSerializer(ContractSerializer):
    balance = serializers.SerializerMethodField()
    installments = serializers.SerializerMethodField()

    @extend_schema_field(BalanceSerializer)
    def get_balance(self, contract: Contract) -> dict[str, Any]:
        balance: Balance = self.context["balance"]
        return dict(BalanceSerializer(balance, context={"currency": contract.currency}).data)

    @extend_schema_field(InstallmentSerializer(many=True))
    def get_installments(self, contract: Contract) -> list[dict[str, Any]]:
        balance: Balance = self.context["balance"]
        return list(InstallmentSerializer(balance.installments, many=True).data)


class PaymentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    contract = serializers.CharField(source="contract.number")
    channel = serializers.CharField()
    reference = serializers.CharField(source="external_reference")
    amount = money()
    currency = serializers.CharField()
    received_at = serializers.DateTimeField()
    business_date = serializers.DateField()
    status = serializers.CharField()
    reversed_at = serializers.DateTimeField(allow_null=True)
    reversal_reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class DelinquencyEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    contract = serializers.CharField(source="contract.number")
    customer = serializers.CharField(source="contract.customer.customer_number")
    on_date = serializers.DateField()
    event = serializers.ChoiceField(choices=["became_delinquent", "cured", "charged_off", "paid_off"])
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    days_past_due = serializers.IntegerField()
    episode = serializers.IntegerField()
