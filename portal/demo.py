"""Demo data for `make run`: customers in interesting states and one user per staff role."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial

import time_machine
from django.db import transaction
from django.utils import timezone

from accounts.models import CustomerProfile, User
from accounts.roles import Role
from accounts.services import customer_create, emergency_contact_add, staff_create
from accounts.validators import cn_resident_id_check_char
from appeals.models import CaseKind, Category, FiledVia
from appeals.services import calendar_seed, case_file
from cases.services import visit_schedule
from contracts.models import Contract, CostRegime, Product, ProductKind, TermsVersion
from contracts.schedules import add_months
from contracts.services import (
    contract_create,
    lpr_seed,
    payment_post,
    plan_activate,
    plan_propose,
    promise_record,
    terms_publish,
)
from notices.models import NightlyRun

from .demo_history import Timeline, demo_history_run, local_moment
from .demo_workbench import demo_workbench_load

DEMO_PASSWORD = "Fairdue-demo-2026"


@dataclass(frozen=True)
class DemoLogin:
    identifier: str
    description: str


@dataclass
class DemoResult:
    created: int = 0
    existing: int = 0
    days: int = 0  # business dates lived (sweep, ladder, delivery)
    notices_sent: int = 0
    logins: list[DemoLogin] = field(default_factory=list)


@dataclass(frozen=True)
class DemoCustomer:
    email: str
    phone: str
    legal_name: str
    national_id: str
    description: str
    scenario: str
    timezone: str = "Asia/Shanghai"
    jurisdiction: str = "CN"


def _id(first17: str) -> str:
    return first17 + cn_resident_id_check_char(first17)


DEMO_CUSTOMERS = [
    DemoCustomer(
        "current@demo.fairdue.example",
        "13800138001",
        "王小明",
        _id("11010519491231002"),
        "customer, all paid up",
        "current",
    ),
    DemoCustomer(
        "overdue3@demo.fairdue.example",
        "13800138002",
        "李华",
        _id("31010119900101123"),
        "customer, 3 days past due (grace period)",
        "dpd3",
    ),
    DemoCustomer(
        "overdue20@demo.fairdue.example",
        "13800138003",
        "张伟",
        _id("44030119880505001"),
        "customer, 20 days past due, promise to pay due today",
        "dpd20_promise",
    ),
    DemoCustomer(
        "overdue45@demo.fairdue.example",
        "13800138004",
        "刘洋",
        _id("11010119800101003"),
        "customer, 45 days past due",
        "dpd45",
    ),
    DemoCustomer(
        "overdue95@demo.fairdue.example",
        "13800138005",
        "陈静",
        _id("32010219850202004"),
        "customer, 95 days past due",
        "dpd95",
    ),
    DemoCustomer(
        "overdue200@demo.fairdue.example",
        "13800138006",
        "杨勇",
        _id("33010619790303005"),
        "customer, 200 days past due (charged off)",
        "dpd200",
    ),
    DemoCustomer(
        "plan@demo.fairdue.example",
        "13800138007",
        "赵敏",
        _id("51010419910404006"),
        "customer on a repayment plan",
        "plan",
    ),
    DemoCustomer(
        "planbroken@demo.fairdue.example",
        "13800138008",
        "黄磊",
        _id("42010219870606007"),
        "customer whose repayment plan broke",
        "plan_broken",
    ),
    DemoCustomer(
        "suspended@demo.fairdue.example",
        "13800138009",
        "周杰",
        _id("44010619920707008"),
        "customer with on-site service suspended",
        "suspended",
    ),
    DemoCustomer(
        "us@demo.fairdue.example",
        "",
        "Jordan Smith",
        "",
        "customer under US Regulation F (Chicago), current",
        "us_current",
        timezone="America/Chicago",
        jurisdiction="US-REGF",
    ),
]

DEMO_STAFF = [
    ("agent@demo.fairdue.example", "陈坐席", Role.AGENT, "A-1001"),
    ("supervisor@demo.fairdue.example", "刘主管", Role.SUPERVISOR, "S-2001"),
    ("field@demo.fairdue.example", "赵外访", Role.FIELD_OFFICER, "F-3001"),
    ("compliance@demo.fairdue.example", "孙合规", Role.COMPLIANCE_OFFICER, "C-4001"),
    ("agency@demo.fairdue.example", "周机构", Role.AGENCY, "G-5001"),
    ("admin@demo.fairdue.example", "系统管理员", Role.ADMIN, "X-9001"),
]


@transaction.atomic
def load_demo_data(today: dt.date | None = None) -> DemoResult:
    """Create what is missing, then live the days since: every new demo contract is signed on
    its start date and its customer's story (payments, a promise, a plan, a dispute, a field
    visit) happens on its day, while the real nightly batch and delivery run each night
    (``portal.demo_history``). Nothing is created twice; a second run the same day adds nothing,
    a run days later lives only the days in between (as beat's catch-up would)."""
    today = today or timezone.localdate()
    yesterday = today - dt.timedelta(days=1)  # the last night that has already happened
    calendar_seed(actor=None)  # migrate seeds it too; adds only years still missing
    lpr_seed(actor=None)  # likewise: the published one-year LPR, for private lending's cap
    timeline = Timeline()
    result = DemoResult()
    new_customers = [c for c in DEMO_CUSTOMERS if not User.objects.filter(email=c.email).exists()]
    new_staff = [s for s in DEMO_STAFF if not User.objects.filter(email=s[0]).exists()]
    result.existing = len(DEMO_CUSTOMERS) + len(DEMO_STAFF) - len(new_customers) - len(new_staff)
    result.created = len(new_customers) + len(new_staff)
    story = DemoStory(timeline=timeline, today=today, last=yesterday)
    for c in new_customers:
        story.customer(c)
    first_day = timeline.first_day()
    if first_day is not None:
        with time_machine.travel(min(local_moment(first_day, dt.time(9, 0)), timezone.now()), tick=False):
            _demo_products()
            for email, name, role, badge in new_staff:
                staff_create(
                    actor=None, email=email, full_name=name, password=DEMO_PASSWORD, role=role, badge_number=badge
                )
    else:
        _demo_products()
        for email, name, role, badge in new_staff:
            staff_create(actor=None, email=email, full_name=name, password=DEMO_PASSWORD, role=role, badge_number=badge)
    catch_up = _first_night_not_lived(yesterday)
    starts = [day for day in (first_day, catch_up) if day is not None]
    if starts:
        history = demo_history_run(timeline=timeline, first_day=min(starts), last_day=yesterday)
        result.days, result.notices_sent = history.days, history.notices_sent
    demo_workbench_load(today=today)
    for c in DEMO_CUSTOMERS:
        result.logins.append(DemoLogin(c.phone or c.email, c.description))
    for email, _name, role, _badge in DEMO_STAFF:
        result.logins.append(DemoLogin(email, f"staff: {Role(role).label}"))
    return result


def _first_night_not_lived(yesterday: dt.date) -> dt.date | None:
    """The day after the latest night on record, if a night is missing up to yesterday."""
    latest = NightlyRun.objects.order_by("-business_date").values_list("business_date", flat=True).first()
    if latest is None or latest >= yesterday:
        return None
    return latest + dt.timedelta(days=1)


LOAN_TERMS_ZH = (
    "个人消费分期借款合同（摘要）\n"
    "一、借款本金、期限、年利率见合同首页；按月等额本息还款，每期还款日为首期还款日的同一日（月末顺延至当月最后一日）。\n"
    "二、宽限期：每期还款日后3日内还款不收取罚息和违约金。\n"
    "三、罚息：宽限期届满仍未还款的，自宽限期届满次日起按逾期本金每日0.05%计收罚息，不对利息、罚息或费用计收罚息，不计复利。\n"
    "四、违约金：每期逾期宽限期届满时收取一次，固定50元。\n"
    "五、综合成本上限：年化利率按内部收益率（IRR）法计算并在合同页展示，综合年化成本不超过24%；"
    "每期逾期后的罚息与违约金合计不超过该期逾期金额×逾期天数×24%÷365，超出部分不予收取。\n"
    "六、还款冲抵顺序：费用、罚息、利息、本金，先到期先冲抵；多付款项计入余额，自动冲抵下一期应还款项。\n"
    "七、异议与投诉：您可随时在线提出异议、投诉或申诉，处理期间相关催收暂停。"
)
LOAN_TERMS_EN = (
    "Consumer installment loan agreement (summary)\n"
    "1. Principal, term and annual rate are on the first page; equal monthly payments, "
    "due on the first due date's day.\n"
    "2. Grace period: no penalty interest or late fee if paid within 3 days after a due date.\n"
    "3. Penalty interest: from the day after the grace period, 0.05% per day on overdue principal only; never on "
    "interest, penalty or fees; no compounding.\n"
    "4. Late fee: 50.00 once per installment when its grace period ends.\n"
    "5. Cost cap: the annualised rate (IRR method) is shown on the contract page and stays within 24%; penalty "
    "interest and fees on an overdue installment never exceed its overdue amount x days overdue x 24% / 365.\n"
    "6. Payments pay fees, penalty, interest, then principal, oldest installment first; any excess is kept as credit.\n"
    "7. Disputes and complaints: file them online at any time; collection pauses while we look into them."
)
SERVICE_TERMS_ZH = (
    "家电维修上门服务订阅合同（摘要）\n"
    "一、服务费按月支付，宽限期3日。\n"
    "二、逾期拒绝上门：逾期超过3日的，我们将书面通知您；通知后7日内仍未付清或未达成还款计划的，暂停上门服务，"
    "付清或还款计划生效后立即恢复。\n"
    "三、您可对暂停决定提出申诉，申诉期间不暂停服务。"
)
SERVICE_TERMS_EN = (
    "Home appliance repair subscription (summary)\n"
    "1. Monthly fee, 3-day grace period.\n"
    "2. Service suspension: more than 3 days overdue, we notify you in writing; if not paid or on a plan 7 days "
    "after the notice, on-site service is suspended, and restored as soon as you pay or a plan starts.\n"
    "3. You can appeal a suspension; service continues while the appeal is open."
)


DEMO_PRODUCTS: list[tuple[dict[str, object], str, str]] = [
    (
        {
            "code": "demo-loan",
            "name": "消费分期贷",
            "name_en": "Consumer installment loan",
            "kind": ProductKind.INSTALLMENT_LOAN,
            "schedule_method": "annuity",
            "annual_interest_rate": Decimal("0.18"),
            "min_term": 3,
            "max_term": 36,
            "grace_days": 3,
            "penalty_daily_rate": Decimal("0.0005"),
            "late_fee_kind": "fixed",
            "late_fee_value": Decimal("50"),
            "late_fee_cap": Decimal("50.00"),
            "cost_regime": CostRegime.LICENSED_LENDER,
        },
        LOAN_TERMS_ZH,
        LOAN_TERMS_EN,
    ),
    (
        {
            "code": "demo-bnpl",
            "name": "先享后付",
            "name_en": "Pay in 4",
            "kind": ProductKind.BNPL,
            "schedule_method": "bnpl",
            "annual_interest_rate": Decimal("0"),
            "min_term": 3,
            "max_term": 12,
            "grace_days": 3,
            "penalty_daily_rate": Decimal("0.0003"),
            "late_fee_kind": "percent",
            "late_fee_value": Decimal("0.05"),
            "late_fee_cap": Decimal("30.00"),
            "cost_regime": CostRegime.LICENSED_LENDER,
        },
        LOAN_TERMS_ZH,
        LOAN_TERMS_EN,
    ),
    (
        {
            "code": "demo-service",
            "name": "上门维修订阅",
            "name_en": "Repair subscription",
            "kind": ProductKind.SERVICE_SUBSCRIPTION,
            "schedule_method": "subscription",
            "annual_interest_rate": Decimal("0"),
            "min_term": 12,
            "max_term": 24,
            "grace_days": 3,
            "penalty_daily_rate": Decimal("0"),
            "late_fee_kind": "none",
            "late_fee_value": Decimal("0"),
            "late_fee_cap": Decimal("0.00"),
            "suspension_notice_after_days": 3,
            "suspension_notice_days": 7,
            # A repair company is no lender: private lending's four times the one-year LPR (3.00 %).
            "cost_regime": CostRegime.PRIVATE_LENDING,
            "cost_cap_annual_rate": Decimal("0.12"),
        },
        SERVICE_TERMS_ZH,
        SERVICE_TERMS_EN,
    ),
]


def _demo_products() -> None:
    for fields, text_zh, text_en in DEMO_PRODUCTS:
        if not Product.objects.filter(code=fields["code"]).exists():
            product = Product.objects.create(**fields)
            terms_publish(actor=None, product=product, text_zh=text_zh, text_en=text_en)


def _terms(code: str) -> TermsVersion:
    return TermsVersion.objects.filter(product__code=code).order_by("-version").first()  # type: ignore[return-value]


def _noon(day: dt.date) -> dt.datetime:
    return local_moment(day, dt.time(12, 0))


def _staff(email: str) -> User:
    return User.objects.get(email=email)


@dataclass
class DemoStory:
    """Each scenario as things that happen on dates. ``last`` is the last business date whose
    night has passed (yesterday): days past due are counted to it, as the portal shows them."""

    timeline: Timeline
    today: dt.date
    last: dt.date

    def customer(self, c: DemoCustomer) -> None:
        def create() -> None:
            profile = customer_create(
                actor=None,
                legal_name=c.legal_name,
                password=DEMO_PASSWORD,
                email=c.email,
                phone=c.phone,
                national_id=c.national_id,
                postal_address="上海市浦东新区世纪大道100号" if c.jurisdiction == "CN" else "100 Main St, Chicago, IL",
                timezone=c.timezone,
                language="zh-hans" if c.jurisdiction == "CN" else "en",
                jurisdiction=c.jurisdiction,
            )
            if c.jurisdiction == "CN":
                emergency_contact_add(
                    actor=None, profile=profile, name="紧急联系人", relationship="配偶", phone="13900139000"
                )
            getattr(self, f"scenario_{c.scenario}")(profile)

        # The customer registers on the day of their first contract (scenarios start at most
        # ~7 months back), so the scenario methods schedule that contract's signing first.
        self.timeline.at(self.first_contract_day(c.scenario), create)

    def first_contract_day(self, scenario: str) -> dt.date:
        return min(start for start in self._starts(scenario))

    def _starts(self, scenario: str) -> list[dt.date]:
        current = [self.last - dt.timedelta(days=75)]
        overdue_days = {
            "dpd3": 3,
            "dpd20_promise": 20,
            "dpd45": 45,
            "dpd95": 95,
            "dpd200": 200,
            "plan": 40,
            "plan_broken": 90,
            "suspended": 20,
        }
        if scenario in overdue_days:
            return [self._start_for(overdue_days[scenario])]
        return current

    def _start_for(self, days: int) -> dt.date:
        first_due = self.last - dt.timedelta(days=days)
        return add_months(first_due, -1, first_due.day)

    # --- building blocks -------------------------------------------------------------------
    def _overdue(
        self,
        profile: CustomerProfile,
        days: int,
        code: str = "demo-loan",
        principal: str = "12000.00",
        term: int = 12,
        then: Callable[[Contract], None] | None = None,
    ) -> None:
        """A contract whose first installment fell due ``days`` days before ``last``, never paid."""
        first_due = self.last - dt.timedelta(days=days)
        start = add_months(first_due, -1, first_due.day)

        def sign() -> None:
            contract = contract_create(
                actor=None,
                customer=profile,
                terms=_terms(code),
                principal=Decimal(principal),
                term=term,
                start_date=start,
                first_due_date=first_due,
                signed_at=_noon(start),
            )
            if then is not None:
                then(contract)

        self._on(start, sign)

    def _on(self, day: dt.date, action: Callable[[], object]) -> None:
        self.timeline.at(day, action)

    def _paying(self, profile: CustomerProfile, code: str, principal: str, term: int, start: dt.date) -> None:
        """A contract paid in full on every due date up to ``last``."""

        def sign() -> None:
            contract = contract_create(
                actor=None,
                customer=profile,
                terms=_terms(code),
                principal=Decimal(principal),
                term=term,
                start_date=start,
                signed_at=_noon(start),
            )
            for inst in contract.installments.filter(due_date__lte=self.last).order_by("due_date"):
                amount = inst.principal_due + inst.interest_due
                reference = f"demo-{contract.pk}-{inst.seq}"
                self._on(inst.due_date, partial(_pay, contract.pk, reference, amount))

        self._on(start, sign)

    # --- the scenarios -----------------------------------------------------------------------
    def scenario_current(self, profile: CustomerProfile) -> None:
        self._paying(profile, "demo-loan", "6000.00", 6, self.last - dt.timedelta(days=75))
        self._paying(profile, "demo-bnpl", "2399.00", 4, self.last - dt.timedelta(days=10))

    scenario_us_current = scenario_current

    def scenario_dpd3(self, profile: CustomerProfile) -> None:
        self._overdue(profile, 3, code="demo-bnpl", principal="3999.00", term=4)

    def scenario_dpd20_promise(self, profile: CustomerProfile) -> None:
        def promise(contract: Contract) -> None:
            first = contract.installments.order_by("seq").first()
            if first is None:
                raise AttributeError("the demo contract has no installments")
            on = self.today - dt.timedelta(days=4)
            self._on(
                on,
                lambda: promise_record(
                    actor=None,
                    contract_id=contract.pk,
                    amount=first.principal_due,
                    promised_date=self.today,
                    on=on,
                    note="客户电话承诺",
                ),
            )

        self._overdue(profile, 20, then=promise)

    def scenario_dpd45(self, profile: CustomerProfile) -> None:
        self._overdue(profile, 45)

    def scenario_dpd95(self, profile: CustomerProfile) -> None:
        def visit(contract: Contract) -> None:
            self._on(
                self.last,
                lambda: visit_schedule(
                    actor=_staff("supervisor@demo.fairdue.example"),
                    contract_id=contract.pk,
                    scheduled_for=local_moment(self.today + dt.timedelta(days=3), dt.time(10, 0)),
                    officer_ids=[
                        _staff("field@demo.fairdue.example").pk,
                        _staff("agent@demo.fairdue.example").pk,
                    ],
                ),
            )

        self._overdue(profile, 95, principal="20000.00", term=24, then=visit)

    def scenario_dpd200(self, profile: CustomerProfile) -> None:
        self._overdue(profile, 200, principal="8000.00")

    def scenario_plan(self, profile: CustomerProfile) -> None:
        self._overdue(
            profile, 40, then=partial(self._plan, on=self.today - dt.timedelta(days=2), reason="收入下降，申请分期")
        )

    def scenario_plan_broken(self, profile: CustomerProfile) -> None:
        def plan_then_dispute(contract: Contract) -> None:
            self._plan(contract, on=self.today - dt.timedelta(days=50), reason="临时困难")
            self._on(
                self.last,
                lambda: case_file(
                    actor=profile.user,
                    customer=profile,
                    kind=CaseKind.DISPUTE,
                    category=Category.CHARGE_CHALLENGED,
                    description="计划中断后又收了违约金，我认为不应重复收取。",
                    filed_via=FiledVia.PORTAL,
                    contract_id=contract.pk,
                ),
            )

        self._overdue(profile, 90, then=plan_then_dispute)

    def _plan(self, contract: Contract, *, on: dt.date, reason: str) -> None:
        def propose_and_start() -> None:
            plan = plan_propose(actor=None, contract_id=contract.pk, months=6, reason=reason, on=on)
            plan_activate(actor=None, plan_id=plan.pk, on=on)

        self._on(on, propose_and_start)

    def scenario_suspended(self, profile: CustomerProfile) -> None:
        # The ladder's formal notice (letter, SMS, in-app) comes the day after the grace period;
        # the nightly sweep suspends on-site service when the notice period has run out.
        self._overdue(profile, 20, code="demo-service", principal="199.00", term=12)


def _pay(contract_id: int, reference: str, amount: Decimal) -> None:
    payment_post(
        actor=None,
        contract_id=contract_id,
        channel="bank_transfer",
        external_reference=reference,
        amount=amount,
        received_at=timezone.now(),
    )
