"""Demo data for `make run`: customers in interesting states and one user per staff role."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from accounts.models import User
from accounts.roles import Role
from accounts.services import customer_create, emergency_contact_add, staff_create

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
    timezone: str = "Asia/Shanghai"
    jurisdiction: str = "CN"


DEMO_CUSTOMERS = [
    DemoCustomer(
        "current@demo.fairdue.example", "13800138001", "王小明", "11010519491231002X", "customer, all paid up"
    ),
    DemoCustomer("overdue@demo.fairdue.example", "13800138002", "李华", "310101199001011234", "customer, overdue"),
    DemoCustomer(
        "suspended@demo.fairdue.example", "13800138003", "张伟", "440301198805050015", "customer, service suspended"
    ),
    DemoCustomer(
        "us@demo.fairdue.example",
        "",
        "Jordan Smith",
        "",
        "customer under US Regulation F (Chicago)",
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
def load_demo_data() -> DemoResult:
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
            result.created += 1
        result.logins.append(DemoLogin(c.phone or c.email, c.description))
    for email, name, role, badge in DEMO_STAFF:
        if User.objects.filter(email=email).exists():
            result.existing += 1
        else:
            staff_create(actor=None, email=email, full_name=name, password=DEMO_PASSWORD, role=role, badge_number=badge)
            result.created += 1
        result.logins.append(DemoLogin(email, f"staff: {Role(role).label}"))
    return result
