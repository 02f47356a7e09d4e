from __future__ import annotations

import itertools

from accounts.models import CustomerProfile, User
from accounts.roles import Role
from accounts.services import customer_create, staff_create
from accounts.validators import cn_resident_id_check_char

PASSWORD = "Correct-Horse-42"
_counter = itertools.count(1)


def national_id(n: int) -> str:
    first17 = f"31010119900101{n % 1000:03d}"
    return first17 + cn_resident_id_check_char(first17)


def make_customer(*, password: str = PASSWORD, **overrides: object) -> CustomerProfile:
    n = next(_counter)
    values: dict[str, object] = {
        "legal_name": f"测试客户{n}",
        "email": f"customer{n}@example.test",
        "phone": f"139{n:08d}",
        "national_id": national_id(n),
        "postal_address": "上海市黄浦区人民大道1号",
    }
    values.update(overrides)
    return customer_create(actor=None, password=password, **values)  # type: ignore[arg-type]


def make_staff(role: Role = Role.AGENT, *, password: str = PASSWORD) -> User:
    n = next(_counter)
    return staff_create(
        actor=None,
        email=f"{role}{n}@staff.test",
        full_name=f"Staff {n}",
        password=password,
        role=role,
        badge_number=f"B{n:05d}",
    )
