"""The staff workbench: teams and assignment of overdue accounts, saved queue views, logged
calls, and the requests an agent makes that someone else decides (fee waivers, field visits,
legal referral). ``cases.models`` re-exports them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import CustomerProfile
from contracts.fields import money_field
from contracts.models import Contract, Installment


class Team(models.Model):
    """A group of agents working one queue; supervisors assign accounts to it or to its members."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="work_teams", verbose_name=_("members"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Assignment(models.Model):
    """Who works an overdue account now: an agent, a team, or both (the agent within the team).
    Every change is a service call with its audit event (the history is the audit trail)."""

    contract = models.OneToOneField(Contract, on_delete=models.PROTECT, related_name="assignment")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_accounts",
        verbose_name=_("agent"),
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("team")
    )
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    assigned_at = models.DateTimeField()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        permissions = [
            ("work_accounts", "Can work overdue accounts (queue, calls, promises)"),
            ("assign_accounts", "Can assign overdue accounts to agents and teams"),
            ("place_with_agency", "Can place accounts with an external agency and recall them"),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} → {self.agent_id or '-'} / {self.team_id or '-'}"


class SavedView(models.Model):
    """A staff member's named set of queue filters."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(_("name"), max_length=60)
    filters = models.JSONField(_("filters"), default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="saved_view_name_unique")]

    def __str__(self) -> str:
        return self.name


class CallOutcome(models.TextChoices):
    NO_ANSWER = "no_answer", _("No answer")
    VOICEMAIL = "voicemail", _("Voicemail")
    CONVERSATION = "conversation", _("Conversation")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    NOT_IN_SERVICE = "not_in_service", _("Number not in service")
    REFUSED = "refused", _("Refused to talk")
    PROMISE = "promise", _("Promise to pay")


# What each outcome is to the compliance engine (``notices.compliance.inputs.Outcome``): a
# refusal or a promise was a connected call with the debtor; a wrong number reaches no debtor.
ENGINE_OUTCOMES: dict[str, str] = {
    CallOutcome.NO_ANSWER: "no_answer",
    CallOutcome.VOICEMAIL: "voicemail",
    CallOutcome.CONVERSATION: "conversation",
    CallOutcome.WRONG_NUMBER: "invalid_number",
    CallOutcome.NOT_IN_SERVICE: "not_in_service",
    CallOutcome.REFUSED: "conversation",
    CallOutcome.PROMISE: "conversation",
}


class CallLog(models.Model):
    """A call an agent (of the lender or of an agency) made, after the engine allowed it."""

    customer = models.ForeignKey(CustomerProfile, on_delete=models.PROTECT, related_name="call_logs")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="call_logs")
    attempt = models.OneToOneField(
        "notices.ContactAttempt", on_delete=models.CASCADE, related_name="call_log", verbose_name=_("contact attempt")
    )
    at = models.DateTimeField(_("at"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=CallOutcome.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    promise = models.ForeignKey(
        "contracts.PromiseToPay", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    agency = models.ForeignKey(
        "cases.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="call_logs"
    )

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["contract", "at"])]

    def __str__(self) -> str:
        return f"call {self.outcome} {self.at:%Y-%m-%d %H:%M}"


class RequestStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


# A request is decided once; later workflows (visits, legal cases) continue from "approved".
REQUEST_TRANSITIONS: dict[str, set[str]] = {
    RequestStatus.REQUESTED: {RequestStatus.APPROVED, RequestStatus.REJECTED, RequestStatus.CANCELLED},
    RequestStatus.APPROVED: set(),
    RequestStatus.REJECTED: set(),
    RequestStatus.CANCELLED: set(),
}


class StaffRequest(models.Model):
    """What every request shares: the account, why, who asked and when, and the decision."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.REQUESTED
    )
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(_("requested at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        abstract = True
        ordering = ["-requested_at", "-id"]

    def can_decide(self) -> bool:
        return RequestStatus.APPROVED in REQUEST_TRANSITIONS[self.status]


class WaiverKind(models.TextChoices):
    REVERSE_LATE_FEE = "reverse_late_fee", _("Reverse the late fee (as if never charged)")
    WAIVE_FEE = "waive_fee", _("Waive fees")
    WAIVE_PENALTY = "waive_penalty", _("Waive penalty interest")


class WaiverRequest(StaffRequest):
    """A fee or penalty waiver an agent asks for; a supervisor (``contracts.approve_waiver``,
    never the requester) approves it, and only then is the ledger adjusted."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="waiver_requests")
    installment = models.ForeignKey(Installment, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=WaiverKind.choices)
    amount = money_field(_("amount"))
    adjustment = models.ForeignKey(
        "contracts.Adjustment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta(StaffRequest.Meta):
        verbose_name = _("fee waiver request")
        verbose_name_plural = _("fee waiver requests")

    def __str__(self) -> str:
        return f"waiver {self.kind} {self.status}"


class VisitRequest(StaffRequest):
    """An agent asks for a field visit (上门走访); a supervisor authorises it as a visit with two
    officers (``visit_schedule``). The engine's verdict at request time is kept with it."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="visit_requests")
    proposed_for = models.DateTimeField(_("proposed date and time"))
    engine_reasons = models.JSONField(default=list, blank=True)
    visit = models.ForeignKey(
        "cases.FieldVisit", null=True, blank=True, on_delete=models.PROTECT, related_name="requests"
    )

    class Meta(StaffRequest.Meta):
        verbose_name = _("visit request")
        verbose_name_plural = _("visit requests")
        constraints = [
            models.UniqueConstraint(
                fields=["contract"], condition=Q(status="requested"), name="one_open_visit_request_per_contract"
            )
        ]

    def __str__(self) -> str:
        return f"visit request {self.pk} {self.status}"


class LegalReferral(StaffRequest):
    """A referral of the account to the legal route (lawyer's letter, suit), made only when the
    debt is not time-barred and collection is not on hold; the legal workflow decides it."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="legal_referrals")

    class Meta(StaffRequest.Meta):
        verbose_name = _("legal referral")
        verbose_name_plural = _("legal referrals")
        constraints = [
            models.UniqueConstraint(
                fields=["contract"], condition=Q(status="requested"), name="one_open_legal_referral_per_contract"
            )
        ]

    def __str__(self) -> str:
        return f"legal referral {self.pk} {self.status}"
