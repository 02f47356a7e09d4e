"""The PDF receipt (rendered by ``notices.pdf``: embedded CJK font, deterministic output)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from notices.pdf import render_document

from .selectors import Receipt


def receipt_pdf(receipt: Receipt) -> bytes:
    paid_at = timezone.localtime(receipt.paid_at)
    table = [[_("Installment"), _("Applied to"), _("Amount")]]
    table += [
        [str(line.installment_seq) if line.installment_seq else "—", line.component, line.amount]
        for line in receipt.lines
    ]
    return render_document(
        title=_("Payment receipt"),
        paragraphs=[
            _("Contract number: %(number)s") % {"number": receipt.contract_number},
            _("Amount received: %(amount)s") % {"amount": receipt.amount},
            _("Received at: %(moment)s") % {"moment": f"{paid_at:%Y-%m-%d %H:%M}"},
            _("Receipt number: %(reference)s") % {"reference": receipt.reference},
            *(
                [_("Still to pay after this payment: %(amount)s") % {"amount": receipt.balance_after}]
                if receipt.balance_after
                else []
            ),
        ],
        table=table if receipt.lines else None,
        reference=receipt.reference,
        issued_at=receipt.paid_at,
        footer=_("This receipt confirms a payment received by Fairdue. Keep it for your records."),
    )
