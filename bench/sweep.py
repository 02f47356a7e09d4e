"""Benchmark: the nightly delinquency sweep over N contracts (not a test).

    .venv/bin/python bench/sweep.py --contracts 2000 --days 30 [--write docs/BENCHMARKS.md]

Uses a throw-away SQLite database under a temp folder unless DATABASE_URL is set (then that
database must be empty and disposable). A share of the contracts is overdue so both the
set-based fast path and the per-contract engine path are exercised.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

BASE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contracts", type=int, default=2000)
    parser.add_argument("--days", type=int, default=30, help="days of catch-up the sweep closes")
    parser.add_argument("--overdue-share", type=float, default=0.2)
    parser.add_argument("--write", type=Path, help="append the result as a table row to this Markdown file")
    args = parser.parse_args()

    os.environ.setdefault("FAIRDUE_VAR_DIR", tempfile.mkdtemp(prefix="fairdue-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from accounts.services import customer_create
    from contracts.models import Contract, Product, ProductKind
    from contracts.services import contract_create, delinquency_sweep, terms_publish

    product = Product.objects.create(
        code="bench",
        name="Bench loan",
        kind=ProductKind.INSTALLMENT_LOAN,
        schedule_method="annuity",
        annual_interest_rate=Decimal("0.18"),
        min_term=1,
        max_term=36,
        late_fee_kind="fixed",
        late_fee_value=Decimal("50"),
        late_fee_cap=Decimal("50.00"),
    )
    terms = terms_publish(actor=None, product=product, text_zh="条款", text_en="Terms")
    business_date = dt.date(2026, 6, 30)
    start_setup = time.perf_counter()
    overdue_every = max(int(1 / args.overdue_share), 1) if args.overdue_share > 0 else 0
    for n in range(args.contracts):
        customer = customer_create(actor=None, legal_name=f"客户{n}", password=None, email=f"c{n}@bench.test")
        overdue = overdue_every and n % overdue_every == 0
        # Overdue contracts fell due before the window; current ones fall due after it.
        start = dt.date(2026, 4, 1) if overdue else dt.date(2026, 6, 15)
        contract = contract_create(
            actor=None, customer=customer, terms=terms, principal=Decimal("10000.00"), term=12, start_date=start
        )
        Contract.objects.filter(pk=contract.pk).update(accrued_through=business_date - dt.timedelta(days=args.days))
    setup_seconds = time.perf_counter() - start_setup

    start = time.perf_counter()
    delinquency_sweep(business_date)
    sweep_seconds = time.perf_counter() - start
    start = time.perf_counter()
    delinquency_sweep(business_date)
    rerun_seconds = time.perf_counter() - start
    contract_days = args.contracts * args.days
    result = (
        f"| {dt.date.today()} | {connection.vendor} | {args.contracts} | {args.days} | {args.overdue_share:.0%} | "
        f"{sweep_seconds:.2f} s | {contract_days / sweep_seconds:,.0f} | {rerun_seconds:.2f} s | "
        f"{platform.processor() or platform.machine()} |"
    )
    print(
        f"setup {setup_seconds:.1f}s; sweep {sweep_seconds:.2f}s "
        f"({contract_days / sweep_seconds:,.0f} contract-days/s); re-run {rerun_seconds:.2f}s"
    )
    print(result)
    if args.write:
        with args.write.open("a", encoding="utf-8") as handle:
            handle.write(result + "\n")


if __name__ == "__main__":
    main()
