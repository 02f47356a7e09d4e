"""Staff casework. Field visits (上门走访): the customer-facing side exists now; the
authorisation workflow (supervisor approval, two officers, consent, outcome) builds on it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import CustomerProfile
from contracts.models import Contract


class VisitStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CALL_REQUESTED = "call_requested", _("Customer asked for a call instead")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


VISIT_TRANSITIONS: dict[str, set[str]] = {
    VisitStatus.SCHEDULED: {VisitStatus.CALL_REQUESTED, VisitStatus.DONE, VisitStatus.CANCELLED},
    VisitStatus.CALL_REQUESTED: set(),
    VisitStatus.DONE: set(),
    VisitStatus.CANCELLED: set(),
}


class FieldVisit(models.Model):
    customer = models.ForeignKey(CustomerProfile, on_delete=models.PROTECT, related_name="visits")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="visits")
    scheduled_for = models.DateTimeField(_("date and time"))
    address = models.TextField(_("address"))
    officers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="field_visits", verbose_name=_("officers"))
    status = models.CharField(_("status"), max_length=20, choices=VisitStatus.choices, default=VisitStatus.SCHEDULED)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    call_requested_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    customer_notified_at = models.DateTimeField(_("customer told on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("field visit")
        verbose_name_plural = _("field visits")
        ordering = ["scheduled_for"]
        permissions = [
            ("approve_visit", "Can authorise a field visit"),
            ("carry_out_visit", "Can go on field visits and file their reports"),
        ]

    def __str__(self) -> str:
        return f"visit {self.pk} {self.scheduled_for:%Y-%m-%d %H:%M}"

    def can_request_call(self) -> bool:
        return VisitStatus.CALL_REQUESTED in VISIT_TRANSITIONS[self.status]

    def can_report(self) -> bool:
        return VisitStatus.DONE in VISIT_TRANSITIONS[self.status]

    def can_cancel(self) -> bool:
        return VisitStatus.CANCELLED in VISIT_TRANSITIONS[self.status]


# The workbench and agencies live in their own modules (module size); import them from here.
from .models_agencies import PLACEMENT_TRANSITIONS as PLACEMENT_TRANSITIONS  # noqa: E402
from .models_agencies import Agency as Agency  # noqa: E402
from .models_agencies import AgencyPlacement as AgencyPlacement  # noqa: E402
from .models_agencies import PlacementStatus as PlacementStatus  # noqa: E402
from .models_legal import CLAIM_TRANSITIONS as CLAIM_TRANSITIONS  # noqa: E402
from .models_legal import LEGAL_TRANSITIONS as LEGAL_TRANSITIONS  # noqa: E402
from .models_legal import ClaimStatus as ClaimStatus  # noqa: E402
from .models_legal import Guarantee as Guarantee  # noqa: E402
from .models_legal import GuaranteeClaim as GuaranteeClaim  # noqa: E402
from .models_legal import GuaranteeKind as GuaranteeKind  # noqa: E402
from .models_legal import JudgmentOutcome as JudgmentOutcome  # noqa: E402
from .models_legal import LegalBundle as LegalBundle  # noqa: E402
from .models_legal import LegalCase as LegalCase  # noqa: E402
from .models_legal import LegalCloseReason as LegalCloseReason  # noqa: E402
from .models_legal import LegalStatus as LegalStatus  # noqa: E402
from .models_legal import LegalStep as LegalStep  # noqa: E402
from .models_visits import OUTCOMES_WITHOUT_CUSTOMER as OUTCOMES_WITHOUT_CUSTOMER  # noqa: E402
from .models_visits import AddressVerification as AddressVerification  # noqa: E402
from .models_visits import MetWith as MetWith  # noqa: E402
from .models_visits import VisitOutcome as VisitOutcome  # noqa: E402
from .models_visits import VisitReport as VisitReport  # noqa: E402
from .models_workbench import ENGINE_OUTCOMES as ENGINE_OUTCOMES  # noqa: E402
from .models_workbench import REQUEST_TRANSITIONS as REQUEST_TRANSITIONS  # noqa: E402
from .models_workbench import Assignment as Assignment  # noqa: E402
from .models_workbench import CallLog as CallLog  # noqa: E402
from .models_workbench import CallOutcome as CallOutcome  # noqa: E402
from .models_workbench import LegalReferral as LegalReferral  # noqa: E402
from .models_workbench import RequestStatus as RequestStatus  # noqa: E402
from .models_workbench import SavedView as SavedView  # noqa: E402
from .models_workbench import Team as Team  # noqa: E402
from .models_workbench import VisitRequest as VisitRequest  # noqa: E402
from .models_workbench import WaiverKind as WaiverKind  # noqa: E402
from .models_workbench import WaiverRequest as WaiverRequest  # noqa: E402
