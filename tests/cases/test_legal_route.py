"""The legal route: the lawyer's letter with its final grace period, the referral once it has
passed (refused for a time-barred debt, an open dispute, a hold), the court case's progress, and
the referral bundle checked by its own stand-alone verifier in a Python without Django."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

from accounts.roles import Role
from audit.models import AuditEvent, AuditSeal
from cases.models import LegalBundle, LegalCase, LegalReferral, LegalStatus, LegalStep, RequestStatus
from cases.services import (
    account_hold_place,
    legal_bundle_make,
    legal_case_close,
    legal_case_enforce,
    legal_case_file,
    legal_case_judgment,
    legal_case_open,
    legal_case_refer,
    legal_referral_create,
)
from contracts.services import contract_time_barred_flag_set, payment_post
from core.dates import business_today
from core.errors import ApplicationError, ForbiddenError
from notices.models import Notice, NoticeStatus, Purpose
from notices.services import notice_deliver
from tests.accounts.factories import make_staff
from tests.appeals.test_appeal_views import file_dispute
from tests.cases.factories import overdue_contract

pytestmark = pytest.mark.django_db

BUNDLE_FILES = {
    "README.txt",
    "manifest.json",
    "terms.pdf",
    "lawyer_letter.pdf",
    "schedule.csv",
    "ledger.csv",
    "payments.csv",
    "communications.csv",
    "disputes.csv",
    "audit/events.csv",
    "audit/inclusion_proof.json",
    "audit/checkpoint.txt",
    "audit/public_key.pem",
    "verify.py",
    "merkle.py",
}


@pytest.fixture(autouse=True)
def _morning():
    """Ten in the morning of today's business date: every contact window is open."""
    with time_machine.travel(timezone.make_aware(dt.datetime.combine(business_today(), dt.time(10))), tick=False):
        yield


def _open(contract, legal=None, **kwargs) -> LegalCase:
    return legal_case_open(
        actor=legal or make_staff(Role.SUPERVISOR),
        contract_id=contract.pk,
        law_firm="北京某某律师事务所",
        **kwargs,
    )


def _send_letter(case: LegalCase) -> None:
    """The letter goes out (in the morning, inside every contact window)."""
    assert notice_deliver(case.letter_id, now=timezone.now()) in (NoticeStatus.SENT, NoticeStatus.DELIVERED)


def _after_grace(case: LegalCase):
    return time_machine.travel(
        timezone.make_aware(dt.datetime.combine(case.grace_until + dt.timedelta(days=1), dt.time(10))), tick=False
    )


def test_opening_the_case_sends_a_lawyer_letter_naming_the_final_grace_date():
    contract = overdue_contract()
    agent = make_staff(Role.AGENT)
    referral = legal_referral_create(actor=agent, contract_id=contract.pk, reason="长期失联，拟起诉")
    case = _open(contract, grace_days=20)
    assert case.status == LegalStatus.LETTER_SENT
    assert case.grace_until == business_today() + dt.timedelta(days=20)
    letter = Notice.objects.get(pk=case.letter_id)
    assert (letter.purpose, letter.channel) == (Purpose.LAWYER_LETTER, "letter")
    assert case.grace_until.isoformat() in letter.body
    referral.refresh_from_db()
    assert referral.status == RequestStatus.APPROVED and case.referral_id == referral.pk
    assert AuditEvent.objects.filter(action="legal_case.opened", object_id=str(case.pk)).exists()
    with pytest.raises(ApplicationError) as twice:
        _open(contract)
    assert twice.value.code == "legal_case_already_open"


def test_the_case_needs_the_legal_role_and_a_sane_grace_period():
    contract = overdue_contract()
    with pytest.raises(ForbiddenError):
        _open(contract, legal=make_staff(Role.AGENT))
    for days in (0, 6, 61):
        with pytest.raises(ApplicationError) as bad:
            _open(contract, grace_days=days)
        assert bad.value.field == "grace_days"
    assert not LegalCase.objects.exists() and not Notice.objects.filter(purpose=Purpose.LAWYER_LETTER).exists()


def test_referral_waits_for_the_letter_and_the_end_of_the_grace_period():
    contract = overdue_contract()
    case = _open(contract)
    legal = make_staff(Role.SUPERVISOR)
    with pytest.raises(ApplicationError) as unsent:
        legal_case_refer(actor=legal, case_id=case.pk)
    assert unsent.value.code == "legal_letter_not_sent"
    _send_letter(case)
    with pytest.raises(ApplicationError) as running:
        legal_case_refer(actor=legal, case_id=case.pk)
    assert running.value.code == "legal_grace_period_running"
    with _after_grace(case):
        referred = legal_case_refer(actor=legal, case_id=case.pk)
    assert referred.status == LegalStatus.REFERRED and referred.amount_claimed > 0


def test_referral_is_refused_for_a_time_barred_debt_an_open_dispute_or_a_hold():
    legal = make_staff(Role.SUPERVISOR)
    refusals = {}
    for blocker in ("time_barred", "dispute", "hold"):
        contract = overdue_contract()
        case = _open(contract)
        _send_letter(case)
        if blocker == "time_barred":
            contract_time_barred_flag_set(actor=None, contract_id=contract.pk, flagged=True, reason="原债权人告知")
        elif blocker == "dispute":
            file_dispute(contract)
        else:
            account_hold_place(actor=make_staff(Role.AGENT), contract_id=contract.pk, reason="hardship")
        with _after_grace(case), pytest.raises(ApplicationError) as refused:
            legal_case_refer(actor=legal, case_id=case.pk)
        refusals[blocker] = refused.value
        case.refresh_from_db()
        assert case.status == LegalStatus.LETTER_SENT and case.referred_on is None
    assert refusals["time_barred"].code == "time_barred_legal_action"
    assert "DISPUTE_HOLD" in refusals["dispute"].extra["reasons"]
    assert "COLLECTION_HOLD" in refusals["hold"].extra["reasons"]


def test_no_letter_is_sent_on_a_time_barred_debt():
    contract = overdue_contract()
    contract_time_barred_flag_set(actor=None, contract_id=contract.pk, flagged=True, reason="原债权人告知")
    with pytest.raises(ApplicationError) as refused:
        _open(contract)
    assert refused.value.code == "time_barred_legal_action"
    assert not Notice.objects.filter(contract=contract, purpose=Purpose.LAWYER_LETTER).exists()


def _referred():
    contract = overdue_contract()
    case = _open(contract)
    _send_letter(case)
    with _after_grace(case):
        legal_case_refer(actor=make_staff(Role.SUPERVISOR), case_id=case.pk)
    case.refresh_from_db()
    return contract, case


def test_the_court_case_is_tracked_to_its_close():
    contract, case = _referred()
    legal = make_staff(Role.SUPERVISOR)
    today = business_today() + dt.timedelta(days=40)
    with time_machine.travel(timezone.make_aware(dt.datetime.combine(today, dt.time(10))), tick=False):
        with pytest.raises(ApplicationError) as early:
            legal_case_judgment(actor=legal, case_id=case.pk, judgment_on=today, outcome="for_lender", amount="100")
        assert early.value.code == "legal_transition_not_allowed"
        with pytest.raises(ApplicationError) as before:
            legal_case_file(
                actor=legal,
                case_id=case.pk,
                court="北京市朝阳区人民法院",
                court_case_number="(2026)京0105民初1234号",
                filed_on=case.referred_on - dt.timedelta(days=1),
            )
        assert before.value.field == "filed_on"
        legal_case_file(
            actor=legal,
            case_id=case.pk,
            court="北京市朝阳区人民法院",
            court_case_number="(2026)京0105民初1234号",
            filed_on=today - dt.timedelta(days=20),
        )
        legal_case_judgment(
            actor=legal,
            case_id=case.pk,
            judgment_on=today - dt.timedelta(days=5),
            outcome="for_lender",
            amount=str(case.amount_claimed),
        )
        legal_case_enforce(
            actor=legal, case_id=case.pk, enforcement_on=today, enforcement_case_number="(2026)京0105执567号"
        )
        with pytest.raises(ApplicationError) as unpaid:
            legal_case_close(actor=legal, case_id=case.pk, reason="paid", closed_on=today)
        assert unpaid.value.field == "reason"
        closed = legal_case_close(
            actor=legal, case_id=case.pk, reason="uncollectible", closed_on=today, note="被执行人无可供执行财产"
        )
    assert closed.status == LegalStatus.CLOSED
    assert [s.status for s in LegalStep.objects.filter(case=case)] == [
        "letter_sent",
        "referred",
        "filed",
        "judgment",
        "enforcement",
        "closed",
    ]
    moves = AuditEvent.objects.filter(action="legal_case.status", object_id=str(case.pk)).order_by("id")
    assert [e.data["to"] for e in moves] == ["referred", "filed", "judgment", "enforcement", "closed"]
    assert _open(contract).status == LegalStatus.LETTER_SENT  # a closed case does not stop a new one


def _later(days: int = 40):
    day = business_today() + dt.timedelta(days=days)
    return time_machine.travel(timezone.make_aware(dt.datetime.combine(day, dt.time(10))), tick=False)


def test_a_judgment_for_the_customer_awards_nothing_and_is_not_enforced():
    _, case = _referred()
    legal = make_staff(Role.SUPERVISOR)
    with _later():
        today = business_today()
        legal_case_file(actor=legal, case_id=case.pk, court="某法院", court_case_number="(2026)民初1号", filed_on=today)
        with pytest.raises(ApplicationError):
            legal_case_judgment(actor=legal, case_id=case.pk, judgment_on=today, outcome="for_customer", amount="5")
        legal_case_judgment(actor=legal, case_id=case.pk, judgment_on=today, outcome="for_customer", amount="")
        with pytest.raises(ApplicationError) as refused:
            legal_case_enforce(actor=legal, case_id=case.pk, enforcement_on=today, enforcement_case_number="执1")
    assert refused.value.code == "legal_transition_not_allowed"


def _bundle(case: LegalCase, tmp_path: Path) -> Path:
    bundle = legal_bundle_make(actor=make_staff(Role.SUPERVISOR), case_id=case.pk)
    folder = tmp_path / "bundle"
    with zipfile.ZipFile(io.BytesIO(bundle.content)) as archive:
        assert set(archive.namelist()) == BUNDLE_FILES
        archive.extractall(folder)
    return folder


def _verify(folder: Path) -> subprocess.CompletedProcess[str]:
    """The bundle's verify.py in an isolated Python in which Django cannot even be imported."""
    runner = (
        "import runpy, sys; sys.modules['django'] = None; sys.argv = ['verify.py'];"
        " runpy.run_path('verify.py', run_name='__main__')"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO", "PYTHON"))}
    return subprocess.run(
        [sys.executable, "-I", "-c", runner], cwd=folder, env=env, capture_output=True, text=True, timeout=60
    )


def test_the_referral_bundle_verifies_with_only_the_public_key(tmp_path):
    contract, case = _referred()
    payment_post(
        actor=None,
        contract_id=contract.pk,
        amount=Decimal("10.00"),
        channel="bank_transfer",
        external_reference="LEGAL-1",
        received_at=timezone.now(),
    )
    folder = _bundle(case, tmp_path)
    run = _verify(folder)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "OK:" in run.stdout
    proof = json.loads((folder / "audit/inclusion_proof.json").read_text())
    proven = {json.loads(item["entry"])["object_type"] for item in proof["entries"]}
    assert {"contracts.contract", "contracts.payment", "notices.notice", "cases.legalcase"} <= proven
    sealed = AuditSeal.objects.filter(event_id__in=[item["event_id"] for item in proof["entries"]]).count()
    assert sealed == len(proof["entries"])
    manifest = json.loads((folder / "manifest.json").read_text())
    assert {item["name"] for item in manifest["files"]} == BUNDLE_FILES - {"manifest.json"}
    assert manifest["audit_events_proven"] == len(proof["entries"])
    assert manifest["audit_events_after_checkpoint"] == 0  # sealed and signed just before
    record = LegalBundle.objects.get(case=case)
    assert record.events == len(proof["entries"]) and record.tree_size == manifest["checkpoint_tree_size"]
    assert "LEGAL-1" in (folder / "payments.csv").read_text()
    assert (folder / "terms.pdf").read_bytes()[:4] == b"%PDF" and (folder / "lawyer_letter.pdf").read_bytes()[
        :4
    ] == b"%PDF"
    assert AuditEvent.objects.filter(action="pii.viewed", data__purpose="legal_referral_bundle").count() == 1


def test_the_verifier_catches_a_changed_file_a_forged_event_and_another_key(tmp_path):
    _, case = _referred()
    folder = _bundle(case, tmp_path)
    ledger = folder / "ledger.csv"
    ledger.write_text(ledger.read_text() + "2026-01-01,allocation,principal,1,-999.00,forged\n")
    changed = _verify(folder)
    assert changed.returncode == 1 and "ledger.csv" in changed.stdout
    folder = _bundle(case, tmp_path / "second")
    proof_path = folder / "audit/inclusion_proof.json"
    proof = json.loads(proof_path.read_text())
    entry = json.loads(proof["entries"][0]["entry"])
    entry["actor_label"] = "someone else"
    proof["entries"][0]["entry"] = json.dumps(entry, sort_keys=True, separators=(",", ":"))
    proof_path.write_text(json.dumps(proof))
    manifest = json.loads((folder / "manifest.json").read_text())
    forged = _verify(folder)
    assert forged.returncode == 1 and "not in the tree" in forged.stdout
    assert manifest  # the proof file's changed hash is reported too
    assert "inclusion_proof.json" in forged.stdout
    folder = _bundle(case, tmp_path / "third")
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    other = Ed25519PrivateKey.generate().public_key()
    (folder / "audit/public_key.pem").write_bytes(
        other.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    wrong_key = _verify(folder)
    assert wrong_key.returncode == 1 and "signature does not verify" in wrong_key.stdout


def test_a_bundle_waits_for_the_referral():
    contract = overdue_contract()
    case = _open(contract)
    with pytest.raises(ApplicationError) as early:
        legal_bundle_make(actor=make_staff(Role.SUPERVISOR), case_id=case.pk)
    assert early.value.code == "legal_transition_not_allowed"
    assert not LegalBundle.objects.exists()
    assert LegalReferral.objects.count() == 0
