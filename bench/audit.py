"""Benchmark: audited business writes from concurrent writers, against the same writes unaudited.

    .venv/bin/python bench/audit.py --writers 4 --transactions 500 --kind payment [--write docs/BENCHMARKS.md]

Needs PostgreSQL (DATABASE_URL, a disposable database: it is migrated and written to). Each
writer is its own process with its own connection and runs N transactions on its own contract
(no business contention between writers):

- ``--kind payment``: the product's own audited business write, ``payment_post`` of ¥1.00
  (lock the contract, allocate, save, audit);
- ``--kind row``: the smallest possible write, one UPDATE of the writer's own row, plus the
  audit event — the cost of the audit INSERT itself, with nothing to hide it.

The floor is the same writes with audit switched off (``audit_record`` replaced by a no-op in
the writer processes), measured in the same invocation; the ratio is audited throughput ÷
unaudited throughput. Afterwards the sealer seals everything written and its rate is reported.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

BASE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE))


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()


def _audit_off() -> None:
    """Replace audit_record wherever a loaded module imported it (the unaudited floor)."""
    from audit import services

    original = services.audit_record
    for module in list(sys.modules.values()):
        if getattr(module, "audit_record", None) is original:
            module.audit_record = lambda **kwargs: None  # type: ignore[attr-defined]


def _writer(
    index: int,
    transactions: int,
    audited: bool,
    kind: str,
    contract_id: int,
    start: mp.synchronize.Event,
    out: mp.Queue,
) -> None:
    _setup()
    from django.db import transaction
    from django.db.models import F
    from django.utils import timezone

    import contracts.services  # noqa: F401  (loaded before audit is switched off)
    from audit.services import audit_record
    from contracts.services import payment_post
    from core.models import Heartbeat

    if not audited:
        _audit_off()
    name = f"bench-writer-{index}"
    Heartbeat.objects.get_or_create(name=name, defaults={"last_seen_at": timezone.now()})
    run = f"{'a' if audited else 'p'}{time.time_ns()}"
    start.wait()
    began = time.perf_counter()
    for n in range(transactions):
        if kind == "payment":
            payment_post(
                actor=None,
                contract_id=contract_id,
                channel="bank_transfer",
                external_reference=f"bench-{run}-{index}-{n}",
                amount="1.00",
                received_at=timezone.now(),
            )
            continue
        with transaction.atomic():
            Heartbeat.objects.filter(name=name).update(count=F("count") + 1, last_seen_at=timezone.now())
            if audited:
                audit_record(action="bench.write", actor=None, object_type="bench", object_id=n, data={"w": index})
    out.put(time.perf_counter() - began)


def _contracts(writers: int) -> list[int]:
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from accounts.services import customer_create
    from contracts.models import Product, ProductKind
    from contracts.services import contract_create, terms_publish

    product, _created = Product.objects.get_or_create(
        code="bench-audit",
        defaults={
            "name": "Bench loan",
            "kind": ProductKind.INSTALLMENT_LOAN,
            "schedule_method": "annuity",
            "annual_interest_rate": Decimal("0.18"),
            "min_term": 1,
            "max_term": 36,
            "late_fee_kind": "fixed",
            "late_fee_value": Decimal("50"),
            "late_fee_cap": Decimal("50.00"),
        },
    )
    terms = terms_publish(actor=None, product=product, text_zh="条款", text_en="Terms")
    ids = []
    for n in range(writers):
        customer = customer_create(
            actor=None, legal_name=f"写入{n}", password=None, email=f"w{n}-{time.time_ns()}@bench.test"
        )
        contract = contract_create(
            actor=None,
            customer=customer,
            terms=terms,
            principal=Decimal("1000000.00"),
            term=12,
            start_date=timezone.localdate() - dt.timedelta(days=3),
        )
        ids.append(contract.pk)
    return ids


def _run(writers: int, transactions: int, audited: bool, kind: str, contract_ids: list[int]) -> float:
    """Transactions per second over all writers (the slowest writer's wall clock)."""
    ctx = mp.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=_writer, args=(i, transactions, audited, kind, contract_ids[i], start, out))
        for i in range(writers)
    ]
    for proc in procs:
        proc.start()
    time.sleep(3.0)  # let every writer set up Django and its connection
    start.set()
    durations = [out.get(timeout=600) for _ in procs]
    wall = max(durations)
    for proc in procs:
        proc.join()
    return writers * transactions / wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--transactions", type=int, default=500, help="per writer")
    parser.add_argument("--kind", choices=["payment", "row"], default="payment")
    parser.add_argument("--rounds", type=int, default=3, help="alternating unaudited/audited rounds; best of each")
    parser.add_argument("--write", type=Path, help="append the result as a table row to this Markdown file")
    args = parser.parse_args()
    os.environ.setdefault("FAIRDUE_VAR_DIR", tempfile.mkdtemp(prefix="fairdue-bench-"))
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("bench/audit.py needs DATABASE_URL=postgres://… (a disposable database)")
    _setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from audit.services import audit_seal_all

    contract_ids = _contracts(args.writers)
    audit_seal_all()  # start from a sealed log
    plain, audited = [], []
    for _ in range(args.rounds):
        plain.append(_run(args.writers, args.transactions, False, args.kind, contract_ids))
        audited.append(_run(args.writers, args.transactions, True, args.kind, contract_ids))
    floor, result = max(plain), max(audited)
    began = time.perf_counter()
    sealed = audit_seal_all(force_checkpoint=True, budget_seconds=3600)
    seal_seconds = time.perf_counter() - began
    ratio = result / floor
    print(f"{args.kind}: unaudited {floor:,.0f} tx/s, audited {result:,.0f} tx/s, ratio {ratio:.2f}")
    print(f"sealer: {sealed} events in {seal_seconds:.2f} s ({sealed / seal_seconds:,.0f} events/s)")
    if args.write:
        row = (
            f"| {time.strftime('%Y-%m-%d')} | postgresql | {args.kind} | {args.writers} | {args.transactions} | "
            f"{floor:,.0f} | {result:,.0f} | {ratio:.2f} | {sealed / seal_seconds:,.0f} | "
            f"{platform.machine()}, {os.cpu_count()} cores |\n"
        )
        with args.write.open("a", encoding="utf-8") as handle:
            handle.write(row)


if __name__ == "__main__":
    main()
