"""Notices: templates, escalation ladders, the transactional outbox, contact attempts,
rule tightening per product, in-app messages, call tasks and the nightly batch's progress."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import ContactChannel, CustomerProfile
from contracts.models import CollectionHold, Contract, Product, RiskBand, money_field

from .record_guard import RetainedRecord


class Purpose(models.TextChoices):
    PRE_DUE_REMINDER = "pre_due_reminder", _("Reminder before the due date")
    DUE_TODAY = "due_today", _("Due today")
    OVERDUE_REMINDER = "overdue_reminder", _("Overdue reminder")
    OVERDUE_BANNER = "overdue_banner", _("Overdue banner in the app")
    CALL_TASK = "call_task", _("Call task for an agent")
    SUSPENSION_NOTICE = "suspension_notice", _("Formal notice of service suspension")
    LAWYER_LETTER = "lawyer_letter", _("Lawyer letter")
    LEGAL_REVIEW = "legal_review", _("Legal-referral review task")
    RESOLUTION = "resolution", _("Outcome of a dispute, complaint or appeal")
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement of a dispute, complaint or appeal")
    VALIDATION_NOTICE = "validation_notice", _("Validation notice (US, 12 CFR 1006.34)")
    VERIFICATION = "verification", _("Verification of a disputed debt or the original creditor (US)")
    VISIT_NOTICE = "visit_notice", _("Advance notice of a field visit")
    SERVICE_RESTORED = "service_restored", _("On-site service restored")


# What every template of a purpose must contain (template variables); checked whenever one is saved.
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    Purpose.PRE_DUE_REMINDER: ("amount_due", "due_date", "pay_url"),
    Purpose.DUE_TODAY: ("amount_due", "due_date", "pay_url"),
    Purpose.OVERDUE_REMINDER: ("amount_due", "days_overdue", "deadline", "pay_url", "dispute_url"),
    Purpose.OVERDUE_BANNER: ("amount_due", "days_overdue", "deadline", "pay_url", "dispute_url"),
    Purpose.SUSPENSION_NOTICE: ("effective_date", "amount_due", "restore_how", "appeal_url"),
    Purpose.LAWYER_LETTER: ("final_grace_date", "itemised_amounts"),
    Purpose.CALL_TASK: ("contract_number", "days_overdue", "amount_due"),
    Purpose.LEGAL_REVIEW: ("contract_number", "days_overdue", "amount_due"),
    Purpose.RESOLUTION: ("case_reference", "outcome", "reasons"),
    Purpose.ACKNOWLEDGEMENT: ("case_reference", "answer_by"),
    # Validation notice and verification: written from form B-1 (validation_texts.py); what any text must carry.
    Purpose.VALIDATION_NOTICE: ("itemization_date", "amount_now", "validation_period_end", "dispute_url"),
    Purpose.VERIFICATION: ("reference", "amount_now"),
    Purpose.VISIT_NOTICE: ("visit_time", "officers", "call_instead_url"),
    Purpose.SERVICE_RESTORED: ("contract_number", "restored_on"),
}
ELECTRONIC_CHANNELS = (ContactChannel.SMS, ContactChannel.EMAIL)
OPT_OUT_FIELD = "opt_out"

# Collection purposes stop for holds, plans and cured contracts; the others are service messages.
COLLECTION_PURPOSES = (
    Purpose.OVERDUE_REMINDER,
    Purpose.OVERDUE_BANNER,
    Purpose.CALL_TASK,
    Purpose.SUSPENSION_NOTICE,
    Purpose.LAWYER_LETTER,
    Purpose.LEGAL_REVIEW,
    Purpose.VISIT_NOTICE,
)
# Purposes that threaten, announce or start legal action (a lawyer's letter, the referral for litigation):
# refused on a time-barred debt (12 CFR 1006.26(b)); another template threatening suit: ``threatens_legal_action``.
LEGAL_ACTION_PURPOSES = (Purpose.LAWYER_LETTER, Purpose.LEGAL_REVIEW)
# The legal route itself (a referral towards a suit): ``contracts.services.legal_action_check``
# guards it before anything is written.
LEGAL_ROUTE_PURPOSES = (Purpose.LEGAL_REVIEW,)


class NoticeTemplate(models.Model):
    """One version of the text for purpose × channel × locale. Saved versions are never edited:
    a change is a new version (the text sent is evidence)."""

    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=ContactChannel.choices)
    locale = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    version = models.PositiveIntegerField(_("version"), default=1)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    threatens_legal_action = models.BooleanField(
        _("threatens or announces legal action"),
        default=False,
        db_default=False,
        help_text=_(
            "The text mentions a suit, a lawyer's letter or other legal steps. Such a text is never sent about a "
            "time-barred debt (12 CFR 1006.26(b)). Lawyer's letters and legal-referral reviews count as such "
            "anyway."
        ),
    )
    is_active = models.BooleanField(_("in use"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("notice template")
        verbose_name_plural = _("notice templates")
        ordering = ["purpose", "channel", "locale", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["purpose", "channel", "locale", "version"], name="template_version_unique"),
            models.UniqueConstraint(
                fields=["purpose", "channel", "locale"], condition=Q(is_active=True), name="one_active_template"
            ),
        ]
        permissions = [("manage_templates", _("Can edit notice templates and ladders"))]

    def __str__(self) -> str:
        return f"{self.purpose}/{self.channel}/{self.locale} v{self.version}"

    @property
    def is_legal_action(self) -> bool:
        return self.purpose in LEGAL_ACTION_PURPOSES or self.threatens_legal_action


class Anchor(models.TextChoices):
    DUE_DATE = "due_date", _("Days from an installment's due date (negative: before)")
    DAYS_PAST_DUE = "dpd", _("Days past due")
    GRACE_END = "grace_end", _("Days after the grace period ended")


class EscalationLadder(models.Model):
    """The reminder chain of a product (a ladder without product is the default)."""

    product = models.OneToOneField(Product, null=True, blank=True, on_delete=models.CASCADE, related_name="ladder")
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("escalation ladder")
        verbose_name_plural = _("escalation ladders")
        constraints = [
            models.UniqueConstraint(fields=["product"], condition=Q(product__isnull=True), name="one_default_ladder")
        ]

    def __str__(self) -> str:
        return self.name


class LadderStep(models.Model):
    ladder = models.ForeignKey(EscalationLadder, on_delete=models.CASCADE, related_name="steps")
    code = models.SlugField(_("code"), max_length=40)
    anchor = models.CharField(_("anchor"), max_length=10, choices=Anchor.choices)
    offset_days = models.IntegerField(_("offset (days)"))
    channels = models.JSONField(_("channels"), default=list)
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices)
    onsite_service_only = models.BooleanField(_("only for products with on-site service"), default=False)
    # A gentle pre-due reminder for customers the early-warning score marks as at risk: the step
    # fires only for contracts not overdue whose latest score is in this band or a higher one.
    min_risk_band = models.CharField(
        _("only for early-warning risk band"),
        max_length=10,
        choices=RiskBand.choices,
        blank=True,
        default="",
        db_default="",
        help_text=_(
            "Empty: every contract. Otherwise only contracts not overdue whose early-warning score is in this band "
            "or a higher one (for a gentle reminder before the due date)."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("ladder step")
        verbose_name_plural = _("ladder steps")
        ordering = ["ladder", "anchor", "offset_days"]
        constraints = [models.UniqueConstraint(fields=["ladder", "code"], name="ladder_step_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} ({self.anchor} {self.offset_days:+d})"

    @property
    def is_collection(self) -> bool:
        return self.purpose in COLLECTION_PURPOSES

    def fires_for_risk(self, band: str | None, days_past_due: int) -> bool:
        """A risk-gated step fires for a contract not overdue whose band is at least the step's."""
        if not self.min_risk_band:
            return True
        return days_past_due == 0 and band in bands_from(self.min_risk_band)


RISK_BAND_ORDER = (RiskBand.LOW, RiskBand.MEDIUM, RiskBand.HIGH)


def bands_from(band: str) -> tuple[str, ...]:
    """The band and every higher one."""
    return tuple(str(b) for b in RISK_BAND_ORDER[RISK_BAND_ORDER.index(RiskBand(band)) :])


class ContactRuleTightening(models.Model):
    """A compliance officer's stricter contact rules for one product (never below the law)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="contact_rules")
    jurisdiction = models.CharField(_("jurisdiction"), max_length=10, choices=[("CN", "CN"), ("US-REGF", "US-REGF")])
    window_start = models.TimeField(_("earliest contact time"), null=True, blank=True)
    window_end = models.TimeField(_("latest contact time (exclusive)"), null=True, blank=True)
    cn_daily_unanswered_cap = models.PositiveSmallIntegerField(
        _("CN: unanswered attempts per day"), null=True, blank=True
    )
    cn_daily_connected_cap = models.PositiveSmallIntegerField(_("CN: connected calls per day"), null=True, blank=True)
    us_calls_per_7_days = models.PositiveSmallIntegerField(_("US: calls per 7 days"), null=True, blank=True)
    visit_min_staff = models.PositiveSmallIntegerField(_("minimum staff on a visit"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("contact rule tightening")
        verbose_name_plural = _("contact rule tightenings")
        constraints = [
            models.UniqueConstraint(fields=["product", "jurisdiction"], name="one_tightening_per_product_jurisdiction")
        ]

    def __str__(self) -> str:
        return f"{self.product.code} {self.jurisdiction}"


class NoticeStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    DEFERRED = "deferred", _("Deferred (contact rules)")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    DROPPED = "dropped", _("Not sent (contact rules)")
    SKIPPED = "skipped", _("Skipped")


OPEN_NOTICE_STATUSES = (NoticeStatus.PENDING, NoticeStatus.DEFERRED)


class Notice(RetainedRecord):
    """The transactional outbox: written in the transaction that decides it, delivered after commit."""

    idempotency_key = models.CharField(max_length=200, unique=True)
    customer = models.ForeignKey(CustomerProfile, on_delete=models.PROTECT, related_name="notices")
    contract = models.ForeignKey(Contract, null=True, blank=True, on_delete=models.PROTECT, related_name="notices")
    step = models.ForeignKey(LadderStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="notices")
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=ContactChannel.choices)
    locale = models.CharField(_("language"), max_length=10)
    template = models.ForeignKey(NoticeTemplate, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recipient = models.CharField(_("to"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("exact text"))
    context = models.JSONField(default=dict)
    status = models.CharField(_("status"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.PENDING)
    reason_codes = models.JSONField(_("reasons"), default=list, blank=True)
    scheduled_for = models.DateTimeField(_("scheduled for"))
    next_attempt_at = models.DateTimeField(_("next attempt at"), db_index=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    # While ``sending``: the worker that claimed the row and until when its claim holds; a
    # row whose lease has run out (the worker died) is claimed again by the relay.
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    claimed_by = models.CharField(_("claimed by"), max_length=100, blank=True, default="", db_default="")
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    provider_message_id = models.CharField(max_length=100, blank=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    document = models.FileField(upload_to="letters/%Y/%m/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["customer", "created_at"]),
            models.Index(fields=["status", "lease_until"], name="notice_lease_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose}/{self.channel} → {self.customer_id} ({self.status})"

    @property
    def message_ref(self) -> str:
        """The stable identity of this notice's message, the same on every (re)send."""
        return message_ref_for(self.idempotency_key)

    @property
    def email_message_id(self) -> str:
        return email_message_id_for(self.idempotency_key)


def message_ref_for(idempotency_key: str) -> str:
    """32 hex characters derived from the idempotency key (the SMS gateway's client reference)."""
    return hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]


def email_message_id_for(idempotency_key: str) -> str:
    """An RFC 5322 ``Message-ID`` (the shape ``django.core.mail.make_msgid`` gives) that a
    receiver sees again, unchanged, if the message is ever sent twice."""
    return f"<{message_ref_for(idempotency_key)}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"


class AttemptDirection(models.TextChoices):
    OUTBOUND = "outbound", _("Outbound")
    INBOUND = "inbound", _("Inbound")


class ContactAttempt(RetainedRecord):
    """Every real contact or try (automated, staff call, visit, agency), with the engine's verdict."""

    customer = models.ForeignKey(CustomerProfile, on_delete=models.PROTECT, related_name="contact_attempts")
    contract = models.ForeignKey(
        Contract, null=True, blank=True, on_delete=models.PROTECT, related_name="contact_attempts"
    )
    notice = models.ForeignKey(Notice, null=True, blank=True, on_delete=models.CASCADE, related_name="attempts_made")
    at = models.DateTimeField(_("at"), db_index=True)
    channel = models.CharField(_("channel"), max_length=10, choices=ContactChannel.choices)
    direction = models.CharField(max_length=10, choices=AttemptDirection.choices, default=AttemptDirection.OUTBOUND)
    to = models.CharField(max_length=12, default="debtor")  # debtor | third_party
    endpoint = models.CharField(max_length=120, blank=True)
    third_party_id = models.CharField(max_length=40, blank=True)
    by = models.CharField(max_length=10, default="lender")  # lender | agency
    purpose = models.CharField(max_length=30, default="collection")
    consent = models.BooleanField(default=False)
    staff_count = models.PositiveSmallIntegerField(null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, blank=True)
    verdict = models.CharField(_("verdict"), max_length=10)  # allowed | blocked
    reason_codes = models.JSONField(_("reasons"), default=list, blank=True)
    next_allowed_at = models.DateTimeField(null=True, blank=True)
    provider_status = models.CharField(max_length=40, blank=True)
    provider_message_id = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("contact attempt")
        verbose_name_plural = _("contact attempts")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["customer", "at"])]

    def __str__(self) -> str:
        return f"{self.channel} {self.verdict} {self.at:%Y-%m-%d %H:%M}"


class InAppMessage(RetainedRecord):
    """The customer's inbox in the portal; banners stay visible until the contract is current."""

    customer = models.ForeignKey(CustomerProfile, on_delete=models.CASCADE, related_name="inbox")
    notice = models.OneToOneField(Notice, null=True, blank=True, on_delete=models.CASCADE, related_name="in_app")
    contract = models.ForeignKey(Contract, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    is_banner = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject


class CallTaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class CallTask(RetainedRecord):
    """An agent work item created by the ladder (calls and legal-referral reviews)."""

    notice = models.OneToOneField(Notice, on_delete=models.CASCADE, related_name="call_task")
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="call_tasks")
    kind = models.CharField(max_length=30, choices=Purpose.choices)
    status = models.CharField(max_length=10, choices=CallTaskStatus.choices, default=CallTaskStatus.OPEN)
    due_at = models.DateTimeField()
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["status", "due_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.contract_id} {self.status}"


class SmsDailyCount(models.Model):
    """Per-number daily SMS limit (provider anti-spam and our own courtesy limit)."""

    number = models.CharField(max_length=20)
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["number", "day"], name="sms_daily_count_unique")]

    def __str__(self) -> str:
        return f"{self.number} {self.day}: {self.count}"


class DeliveryReceipt(RetainedRecord):
    """Signed delivery receipts from the SMS gateway (idempotent per provider message id + status)."""

    provider_message_id = models.CharField(max_length=100)
    status = models.CharField(max_length=20)
    received_at = models.DateTimeField(auto_now_add=True)
    payload = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider_message_id", "status"], name="receipt_once_per_status")
        ]

    def __str__(self) -> str:
        return f"{self.provider_message_id} {self.status}"


class NightlyRun(models.Model):
    """One night of the batch (sweep and ladder for a business date), and how far it got.

    The fan-out fixes the night's contract-id bounds once, so a re-sent night splits into the
    same ranges; each range task adds its counts at its end (``NightlyRange`` counts a range
    once, however often its task runs)."""

    business_date = models.DateField(_("business date"), unique=True)
    catch_up_from = models.DateField(_("first business date replayed"))
    first_contract_id = models.BigIntegerField(default=0)
    last_contract_id = models.BigIntegerField(default=0)
    range_size = models.PositiveIntegerField(default=0)
    ranges_total = models.PositiveIntegerField(_("ranges"), default=0)
    ranges_done = models.PositiveIntegerField(_("ranges done"), default=0)
    contracts_total = models.PositiveIntegerField(_("contracts"), default=0)
    contracts_done = models.PositiveIntegerField(_("contracts done"), default=0)
    notices = models.PositiveIntegerField(_("notices written"), default=0)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("nightly run")
        verbose_name_plural = _("nightly runs")
        ordering = ["-business_date"]

    def __str__(self) -> str:
        return f"night {self.business_date}: {self.ranges_done}/{self.ranges_total}"

    def ranges(self) -> list[tuple[int, int]]:
        """The night's id ranges, from the bounds fixed when it started."""
        if not self.ranges_total:
            return []
        high = self.last_contract_id
        return [
            (start, min(start + self.range_size - 1, high))
            for start in range(self.first_contract_id, high + 1, self.range_size)
        ]

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None

    def contracts_per_second(self, now: dt.datetime | None = None) -> float:
        end = self.finished_at or now or timezone.now()
        seconds = (end - self.started_at).total_seconds()
        return self.contracts_done / seconds if seconds > 0 else 0.0


class NightlyRange(models.Model):
    """A range of a night that is done: written once in the range's transaction (a second run
    of the same range waits on the unique key, then finds it and does nothing)."""

    run = models.ForeignKey(NightlyRun, on_delete=models.CASCADE, related_name="done_ranges")
    first_contract_id = models.BigIntegerField()
    last_contract_id = models.BigIntegerField()
    contracts = models.PositiveIntegerField(default=0)
    notices = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("nightly range")
        verbose_name_plural = _("nightly ranges")
        ordering = ["run", "first_contract_id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "first_contract_id"], name="nightly_range_once_per_night")
        ]

    def __str__(self) -> str:
        return f"{self.run.business_date} [{self.first_contract_id}, {self.last_contract_id}]"


class ValidationNotice(models.Model):
    """The validation information of a US debt (12 CFR 1006.34, model form B-1), one per
    contract, with the figures and parties as stated on the notice (evidence: never edited
    after it is sent). Sent by mail unless the customer consented to electronic delivery."""

    contract = models.OneToOneField(Contract, on_delete=models.PROTECT, related_name="validation_notice")
    customer = models.ForeignKey(CustomerProfile, on_delete=models.PROTECT, related_name="validation_notices")
    notice = models.OneToOneField(
        Notice, null=True, blank=True, on_delete=models.PROTECT, related_name="validation_notice"
    )
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    locale = models.CharField(_("language"), max_length=5, default="en")
    channel = models.CharField(_("delivered by"), max_length=10, choices=ContactChannel.choices)
    currency = models.CharField(_("currency"), max_length=3)
    itemization_basis = models.CharField(_("itemization date basis"), max_length=20)
    itemization_date = models.DateField(_("itemization date"))
    owed_at_itemization = money_field(_("owed on the itemization date"))
    interest_since = money_field(_("interest charged since"))
    fees_since = money_field(_("fees charged since"))
    payments_credits_since = money_field(_("paid or credited since"))
    owed_now = money_field(_("total amount of the debt now"))
    collector_name = models.CharField(_("debt collector"), max_length=150)
    collector_address = models.TextField(_("debt collector's mailing address"))
    collector_phone = models.CharField(_("debt collector's telephone"), max_length=40, blank=True)
    collector_hours = models.CharField(_("reachable"), max_length=100, blank=True)
    dispute_url = models.CharField(_("where disputes are accepted online"), max_length=200, blank=True)
    creditor_name = models.CharField(_("creditor to whom the debt is owed"), max_length=150)
    original_creditor_name = models.CharField(_("original creditor, if different"), max_length=150, blank=True)
    original_creditor_address = models.TextField(_("original creditor's address"), blank=True)
    product_name = models.CharField(_("product"), max_length=120)
    account_number_masked = models.CharField(_("account number"), max_length=40)
    consumer_name = models.CharField(_("consumer"), max_length=150)
    consumer_address = models.TextField(_("consumer's address"), blank=True)
    issued_on = models.DateField(_("issued on"))
    # Before the notice: when the first collection communication was made (the notice then
    # follows it within five days, 1006.34(a)(1)(i)(B)).
    initial_communication_at = models.DateTimeField(_("initial communication"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    assumed_received_on = models.DateField(_("assumed received on"))
    validation_period_end = models.DateField(_("end of the validation period"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("validation notice")
        verbose_name_plural = _("validation notices")
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None


class ResponseChannel(models.TextChoices):
    PORTAL = "portal", _("In the portal")
    MAIL = "mail", _("By mail (the tear-off form or a letter)")


class ValidationResponse(models.Model):
    """The customer's answer to a validation notice: a dispute (with the form's reasons), a
    request for the original creditor, an amount enclosed. Inside the validation period it
    holds collection until the verification is sent (15 U.S.C. 1692g(b))."""

    validation_notice = models.ForeignKey(ValidationNotice, on_delete=models.PROTECT, related_name="responses")
    dispute_reasons = models.JSONField(_("disputed because"), default=list, blank=True)
    dispute_other = models.TextField(_("other reason"), blank=True)
    original_creditor_requested = models.BooleanField(_("asked for the original creditor"), default=False)
    enclosed_amount = models.DecimalField(_("amount enclosed"), max_digits=14, decimal_places=2, null=True, blank=True)
    channel = models.CharField(_("received"), max_length=10, choices=ResponseChannel.choices)
    received_on = models.DateField(_("received on"))
    within_period = models.BooleanField(_("inside the validation period"))
    hold = models.OneToOneField(
        CollectionHold, null=True, blank=True, on_delete=models.PROTECT, related_name="validation_response"
    )
    verification_notice = models.OneToOneField(
        Notice, null=True, blank=True, on_delete=models.PROTECT, related_name="verification_of"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("validation response")
        verbose_name_plural = _("validation responses")
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return f"{self.validation_notice.reference} {self.received_on}"

    @property
    def is_dispute(self) -> bool:
        return bool(self.dispute_reasons)

    @property
    def awaiting_verification(self) -> bool:
        return self.hold_id is not None and self.verification_notice_id is None
