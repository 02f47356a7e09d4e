"""Demo data for `make run`: customers in interesting states and one user per staff role."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import CustomerProfile, User
from accounts.roles import Role
from accounts.services import customer_create, emergency_contact_add, staff_create
from accounts.validators import cn_resident_id_check_char
from appeals.services import calendar_seed
from contracts.models import Contract, Product, ProductKind, TermsVersion
from contracts.schedules import add_months
from contracts.services import (
    contract_create,
    delinquency_sweep,
    delinquency_sweep_range,
    payment_post,
    plan_activate,
    plan_propose,
    promise_record,
    service_notice_give,
    terms_publish,
)

DEMO_PASSWORD = "Fairdue-demo-2026"


@dataclass(frozen=True)
class DemoLogin:
    identifier: str
    description: str


@dataclass
class DemoResult:
    created: int = 0
    existing: int = 0
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
    today = today or timezone.localdate()
    calendar_seed(actor=None)  # migrate seeds it too; adds only years still missing
    _demo_products()
    result = DemoResult()
    for c in DEMO_CUSTOMERS:
        if User.objects.filter(email=c.email).exists():
            result.existing += 1
        else:
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
            _demo_contract(profile, c.scenario, today)
            result.created += 1
        result.logins.append(DemoLogin(c.phone or c.email, c.description))
    for email, name, role, badge in DEMO_STAFF:
        if User.objects.filter(email=email).exists():
            result.existing += 1
        else:
            staff_create(actor=None, email=email, full_name=name, password=DEMO_PASSWORD, role=role, badge_number=badge)
            result.created += 1
        result.logins.append(DemoLogin(email, f"staff: {Role(role).label}"))
    delinquency_sweep(today)
    return result


LOAN_TERMS_ZH = (
    "个人消费分期借款合同（摘要）\n"
    "一、借款本金、期限、年利率见合同首页；按月等额本息还款，每期还款日为首期还款日的同一日（月末顺延至当月最后一日）。\n"
    "二、宽限期：每期还款日后3日内还款不收取罚息和违约金。\n"
    "三、罚息：宽限期届满仍未还款的，自宽限期届满次日起按逾期本金每日0.05%计收罚息，不对利息、罚息或费用计收罚息，不计复利。\n"
    "四、违约金：每期逾期宽限期届满时收取一次，固定50元。\n"
    "五、综合成本上限：利息、罚息与违约金合计按年化不超过24%，超出部分不予收取。\n"
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
    "5. Cost cap: interest, penalty interest and fees together never exceed 24% a year.\n"
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


def _overdue_contract(
    profile: CustomerProfile,
    days: int,
    today: dt.date,
    code: str = "demo-loan",
    principal: str = "12000.00",
    term: int = 12,
) -> Contract:
    """A contract whose first installment fell due ``days`` days ago and is unpaid."""
    first_due = today - dt.timedelta(days=days)
    start = add_months(first_due, -1, first_due.day)
    return contract_create(
        actor=None,
        customer=profile,
        terms=_terms(code),
        principal=Decimal(principal),
        term=term,
        start_date=start,
        first_due_date=first_due,
        signed_at=_noon(start),
    )


def _noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


def _sweep_one(contract: Contract, through: dt.date) -> None:
    delinquency_sweep_range(business_date=through, first_id=contract.pk, last_id=contract.pk)


def _demo_contract(profile: CustomerProfile, scenario: str, today: dt.date) -> None:
    if scenario in ("current", "us_current"):
        start = today - dt.timedelta(days=75)
        contract = contract_create(
            actor=None,
            customer=profile,
            terms=_terms("demo-loan"),
            principal=Decimal("6000.00"),
            term=6,
            start_date=start,
            signed_at=_noon(start),
        )
        for inst in contract.installments.filter(due_date__lte=today).order_by("due_date"):
            _sweep_one(contract, inst.due_date - dt.timedelta(days=1))
            payment_post(
                actor=None,
                contract_id=contract.pk,
                channel="bank_transfer",
                external_reference=f"demo-{contract.pk}-{inst.seq}",
                amount=inst.principal_due + inst.interest_due,
                received_at=_noon(inst.due_date),
            )
        contract_create(
            actor=None,
            customer=profile,
            terms=_terms("demo-bnpl"),
            principal=Decimal("2399.00"),
            term=4,
            start_date=today - dt.timedelta(days=10),
            signed_at=_noon(today - dt.timedelta(days=10)),
        )
    elif scenario == "dpd3":
        _overdue_contract(profile, 3, today, code="demo-bnpl", principal="3999.00", term=4)
    elif scenario == "dpd20_promise":
        contract = _overdue_contract(profile, 20, today)
        _sweep_one(contract, today - dt.timedelta(days=5))
        first_installment = contract.installments.first()
        if first_installment is None:  # same exception type as reading .principal_due on None
            raise AttributeError("the demo contract has no installments")
        promise_record(
            actor=None,
            contract_id=contract.pk,
            amount=first_installment.principal_due,
            promised_date=today,
            on=today - dt.timedelta(days=4),
            note="客户电话承诺",
        )
    elif scenario == "dpd45":
        _overdue_contract(profile, 45, today)
    elif scenario == "dpd95":
        _overdue_contract(profile, 95, today, principal="20000.00", term=24)
    elif scenario == "dpd200":
        _overdue_contract(profile, 200, today, principal="8000.00")
    elif scenario == "plan":
        contract = _overdue_contract(profile, 40, today)
        _sweep_one(contract, today - dt.timedelta(days=3))
        plan = plan_propose(
            actor=None, contract_id=contract.pk, months=6, reason="收入下降，申请分期", on=today - dt.timedelta(days=2)
        )
        plan_activate(actor=None, plan_id=plan.pk, on=today - dt.timedelta(days=2))
    elif scenario == "plan_broken":
        contract = _overdue_contract(profile, 90, today)
        day = today - dt.timedelta(days=50)
        _sweep_one(contract, day - dt.timedelta(days=1))
        plan = plan_propose(actor=None, contract_id=contract.pk, months=6, reason="临时困难", on=day)
        plan_activate(actor=None, plan_id=plan.pk, on=day)
    elif scenario == "suspended":
        contract = _overdue_contract(profile, 20, today, code="demo-service", principal="199.00", term=12)
        notice_day = today - dt.timedelta(days=12)
        _sweep_one(contract, notice_day)
        service_notice_give(actor=None, contract_id=contract.pk, on=notice_day)
