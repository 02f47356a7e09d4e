"""The referral bundle of a legal case (a ZIP a court or the lender's lawyers receive): the terms
as accepted (PDF), the lawyer's letter as sent, the schedule, ledger, payments, communication
log with every contact's compliance verdict and the disputes with their outcomes (CSV), and the
audit events behind them with an inclusion proof against a signed audit checkpoint, the
checkpoint and the public key, a manifest of SHA-256 hashes, a stand-alone verifier
(``audit/verifier.py`` as ``verify.py``, no Django) and a README in Chinese and English.
Reads only; ``legal_bundle_make`` seals the log first and records that a bundle was made."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db.models import ForeignKey, Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from appeals.models import Case as AppealCase
from audit import merkle, verifier
from audit.keys import public_key_pem
from audit.models import AuditEvent, AuditSeal
from audit.proofs import audit_inclusion_proof
from audit.verifier import BUNDLE_CHECKPOINT, BUNDLE_EVENTS, BUNDLE_MANIFEST, BUNDLE_PROOF, BUNDLE_PUBLIC_KEY
from contracts.models import AllocationLine, ChargeEntry, Contract, Installment
from notices.pdf import render_document

from .evidence_files import communications_csv, csv_text, ledger_csv, local_time, payments_csv, schedule_csv
from .models import LegalCase

BUNDLE_FORMAT = "fairdue-legal-bundle/v1"
# Ledger rows are many and never the object of an event of their own (their events name the contract).
LEDGER_ROW_MODELS: tuple[type[Model], ...] = (Installment, ChargeEntry, AllocationLine)
# Which file of the bundle an event stands behind, by the type of object it is about.
EVENT_FILES = {
    "contracts.contract": "terms.pdf schedule.csv ledger.csv",
    "contracts.payment": "payments.csv ledger.csv",
    "contracts.adjustment": "ledger.csv",
    "contracts.repaymentplan": "schedule.csv ledger.csv",
    "contracts.collectionhold": "communications.csv",
    "notices.notice": "communications.csv",
    "notices.contactattempt": "communications.csv",
    "appeals.case": "disputes.csv",
    "cases.legalcase": "lawyer_letter.pdf",
}


def terms_pdf(contract: Contract) -> bytes:
    """The terms version the customer accepted, verbatim, with its hash and the contract's figures."""
    terms = contract.terms
    figures = [
        [_("Term"), _("Value")],
        [_("Contract number"), contract.number],
        [_("Customer"), contract.customer.legal_name],
        [_("Terms accepted at"), timezone.localtime(contract.signed_at).isoformat(timespec="seconds")],
        [_("Principal"), f"{contract.principal} {contract.currency}"],
        [_("Annual interest rate"), str(contract.annual_rate)],
        [_("Term (months)"), str(contract.term)],
        [_("Penalty interest per day"), str(contract.penalty_daily_rate)],
        [_("Annual cost-of-credit cap"), str(contract.cost_cap_annual_rate)],
        [_("SHA-256 of the terms text"), terms.content_hash],
    ]
    return render_document(
        title=_("Terms as accepted: %(product)s, version %(version)s")
        % {"product": terms.product.code, "version": terms.version},
        paragraphs=[line for line in terms.accepted_text.splitlines() if line.strip()],
        table=figures,
        reference=contract.number,
        issued_at=contract.signed_at,
    )


def disputes_csv(contract: Contract) -> str:
    """Every dispute, complaint and appeal about the contract with its outcome and reasons."""
    rows = AppealCase.objects.filter(contract=contract).order_by("submitted_at", "id")
    return csv_text(
        [
            "reference",
            "kind",
            "category",
            "submitted_at",
            "disputed_amount",
            "status",
            "outcome",
            "reasons",
            "resolved_at",
            "appeal_outcome",
            "appeal_reasons",
            "closed_at",
        ],
        [
            [
                c.reference,
                c.kind,
                c.category,
                local_time(c.submitted_at),
                c.disputed_amount if c.disputed_amount is not None else "",
                c.status,
                c.outcome,
                c.reasons,
                local_time(c.resolved_at),
                c.appeal_outcome,
                c.appeal_reasons,
                local_time(c.closed_at),
            ]
            for c in rows
        ],
    )


def _objects_of(contract: Contract) -> Q:
    """The audit events about the contract and about every record that belongs to it."""
    condition = Q(object_type=Contract._meta.label_lower, object_id=str(contract.pk))
    for model in apps.get_models():
        if model in LEDGER_ROW_MODELS:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, ForeignKey) and field.related_model is Contract:
                ids = model._default_manager.filter(**{field.name: contract}).values_list("pk", flat=True)
                keys = [str(pk) for pk in ids]
                if keys:
                    condition |= Q(object_type=model._meta.label_lower, object_id__in=keys)
    return condition


def bundle_events(contract: Contract, *, tree_size: int) -> tuple[list[int], int]:
    """The sealed events about the contract inside the log of ``tree_size`` (sealing order), and
    how many more there are (recorded after that checkpoint or not sealed yet)."""
    ids = list(AuditEvent.objects.filter(_objects_of(contract)).values_list("pk", flat=True))
    proven = list(
        AuditSeal.objects.filter(event_id__in=ids, seq__lte=tree_size)
        .order_by("seq")
        .values_list("event_id", flat=True)
    )
    return proven, len(ids) - len(proven)


def events_csv(proof: dict[str, Any]) -> str:
    rows = []
    for item in proof["entries"]:
        entry = json.loads(item["entry"])
        rows.append(
            [
                entry["event_id"],
                entry["seq"],
                entry["occurred_at"],
                entry["action"],
                entry["object_type"],
                entry["object_id"],
                entry["actor_label"],
                EVENT_FILES.get(entry["object_type"], "ledger.csv"),
            ]
        )
    return csv_text(
        ["event_id", "seq", "occurred_at", "action", "object_type", "object_id", "actor_label", "supports"], rows
    )


README = """转介证据包 / Referral bundle {reference}
================================================

合同 / Contract: {contract}
制作时间 / Made at: {made_at}
签名检查点 / Signed checkpoint: tree_size={tree_size}
公钥指纹 / Public key fingerprint (SHA-256, DER): {fingerprint}

一、内容
  terms.pdf              客户接受的合同条款原文（含条款文本的 SHA-256）
  lawyer_letter.pdf      已寄送的律师函（含最后宽限日）
  schedule.csv           还款计划
  ledger.csv             账务明细（计息、罚息、费用、还款分配、减免）
  payments.csv           还款记录
  communications.csv     每一次联系及合规引擎的判定和理由
  disputes.csv           异议、投诉、申诉及其处理结果
  audit/events.csv       上述记录背后的审计事件（及其对应文件）
  audit/inclusion_proof.json  每个事件包含在签名审计日志中的证明（RFC 9162）
  audit/checkpoint.txt   签名的审计检查点
  audit/public_key.pem   验证签名所用的公钥
  manifest.json          每个文件的 SHA-256
  verify.py、merkle.py   独立验证程序（只需 Python 3 和 cryptography，不需要本系统）

二、第三方如何验证
  1. 安装 Python 3 及 cryptography：pip install cryptography
  2. 在解压后的目录中运行：python3 verify.py
  3. 程序检查：每个文件与 manifest.json 中的 SHA-256 一致；检查点的签名可用公钥验证；
     每个审计事件都包含在该检查点签名的日志中；事件清单与被证明的事件一致。
     全部通过时输出 “OK”，否则逐条列出 “FAIL”，并以非零状态退出。
  4. 请将程序输出的公钥指纹与出借人公开发布的指纹核对（或向出借人独立取得公钥，
     替换 audit/public_key.pem 后再运行一次）。只有公钥来源可信，签名才有证明力。
  说明：证明表明这些审计事件在检查点签名时已记录在只可追加的日志中、其后未被改动；
  CSV 文件是出借人的业务记录，其每一次变化都有对应的审计事件。

1. Contents
  terms.pdf              the contract terms exactly as the customer accepted them (with the text's SHA-256)
  lawyer_letter.pdf      the lawyer's letter as sent (with the final grace date)
  schedule.csv           the repayment schedule
  ledger.csv             every money movement (interest, penalty, fees, allocations, waivers)
  payments.csv           the payments
  communications.csv     every contact with the compliance engine's verdict and reasons
  disputes.csv           disputes, complaints and appeals with their outcomes
  audit/events.csv       the audit events behind these records (and the file each supports)
  audit/inclusion_proof.json  a proof (RFC 9162) that each event is in the signed audit log
  audit/checkpoint.txt   the signed audit checkpoint
  audit/public_key.pem   the public key that verifies the signature
  manifest.json          the SHA-256 of every file
  verify.py, merkle.py   a stand-alone verifier (Python 3 and cryptography only; not this system)

2. How a third party verifies it
  1. Install Python 3 and cryptography: pip install cryptography
  2. In the unpacked folder run: python3 verify.py
  3. It checks that every file matches its SHA-256 in manifest.json, that the checkpoint's
     signature verifies with the public key, that every audit event is in the log signed at
     that checkpoint, and that the events list matches the proven events. It prints "OK" when
     all hold, otherwise one "FAIL" line per problem, and exits non-zero.
  4. Compare the key fingerprint it prints with the one the lender publishes (or obtain the
     public key from the lender independently, replace audit/public_key.pem and run it again):
     the signature proves something only if the key is the lender's.
  Note: the proofs show that these audit events were in the append-only log when the
  checkpoint was signed and have not changed since; the CSV files are the lender's records,
  each change to which has its audit event.
"""


@dataclass(frozen=True)
class Bundle:
    filename: str
    content: bytes
    manifest_sha256: str
    tree_size: int
    events: int


def _checkpoint_text(proof: dict[str, Any]) -> str:
    return f"{proof['checkpoint']}signature={proof['signature']}\n"


def bundle_build(case: LegalCase, *, event_ids: list[int], pending: int, made_at: Any) -> Bundle:
    """Assemble the ZIP: every file, then the manifest of their hashes, then the README."""
    contract = case.contract
    proof = audit_inclusion_proof(event_ids=event_ids)
    pem = public_key_pem()
    files: dict[str, bytes] = {
        "terms.pdf": terms_pdf(contract),
        "schedule.csv": schedule_csv(contract).encode(),
        "ledger.csv": ledger_csv(contract).encode(),
        "payments.csv": payments_csv(contract).encode(),
        "communications.csv": communications_csv(contract).encode(),
        "disputes.csv": disputes_csv(contract).encode(),
        BUNDLE_EVENTS: events_csv(proof).encode(),
        BUNDLE_PROOF: json.dumps(proof, ensure_ascii=False, indent=1).encode(),
        BUNDLE_CHECKPOINT: _checkpoint_text(proof).encode(),
        BUNDLE_PUBLIC_KEY: pem.encode(),
        "verify.py": Path(verifier.__file__).read_bytes(),
        "merkle.py": Path(merkle.__file__).read_bytes(),
    }
    if case.letter is not None and case.letter.document:
        with case.letter.document.open("rb") as handle:
            files["lawyer_letter.pdf"] = handle.read()
    tree_size = verifier.parse_checkpoint(proof["checkpoint"]).tree_size
    fingerprint = verifier.key_fingerprint(verifier.load_public_key(pem.encode()))
    made = timezone.localtime(made_at).isoformat(timespec="seconds")
    files["README.txt"] = README.format(
        reference=case.reference, contract=contract.number, made_at=made, tree_size=tree_size, fingerprint=fingerprint
    ).encode()
    manifest = {
        "format": BUNDLE_FORMAT,
        "case": case.reference,
        "contract": contract.number,
        "made_at": made,
        "checkpoint_tree_size": tree_size,
        "public_key_fingerprint": fingerprint,
        "audit_events_proven": len(event_ids),
        # Events about the contract recorded after the checkpoint (or not sealed yet): a later
        # bundle proves them.
        "audit_events_after_checkpoint": pending,
        "files": [
            {"name": name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
            for name, data in sorted(files.items())
        ],
    }
    files[BUNDLE_MANIFEST] = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return Bundle(
        filename=f"{case.reference}-bundle.zip",
        content=buffer.getvalue(),
        manifest_sha256=hashlib.sha256(files[BUNDLE_MANIFEST]).hexdigest(),
        tree_size=tree_size,
        events=len(event_ids),
    )
