"""Default notice texts in Simplified Chinese and English, installed as version 1.

Plain constants only (no model imports), so the data migration can use them. Each text is
a template in the Django template language and must pass
``notices.templating.validate_template`` (a test checks every one).

Tone: kind, plain and lawful. The texts state facts and options (how to pay, how to
dispute, whom to ask for a plan), never threaten, never shame, and never mention the debt
to anyone but the customer. Messages to customers are written to the customer alone; the
call and legal-review texts are task descriptions for staff.

Context variables (filled in by the sender, already formatted for the reader's language):
``customer_name``, ``company_name``, ``product_name``, ``contract_number``,
``amount_due`` (with currency, e.g. "¥1,234.56"), ``due_date``, ``days_overdue``,
``deadline``, ``pay_url``, ``dispute_url``, ``opt_out`` (the translated opt-out
sentence), ``effective_date``, ``restore_how``, ``appeal_url``, ``final_grace_date``,
``itemised_amounts`` (one line per item), ``case_reference``, ``outcome``, ``reasons``,
``answer_by``.
"""

from __future__ import annotations

from typing import Final

ZH: Final = "zh-hans"
EN: Final = "en"

# (purpose, channel, locale) -> (subject, body). Subjects are used by email, in-app
# messages and letters (as the title); SMS and staff tasks have none.
Text = tuple[str, str]

_TEXTS: list[tuple[str, str, Text, Text]] = [
    # --- before the due date ---------------------------------------------------------------------
    (
        "pre_due_reminder",
        "sms",
        (
            "",
            "【{{ company_name }}】{{ customer_name }}您好，您的合同{{ contract_number }}本期应还{{ amount_due }}，"
            "还款日{{ due_date }}。还款：{{ pay_url }} 已还款请忽略。{{ opt_out }}",
        ),
        (
            "",
            "{{ company_name }}: Hi {{ customer_name }}, {{ amount_due }} on contract {{ contract_number }} is due "
            "on {{ due_date }}. Pay: {{ pay_url }} Already paid? Please ignore this. {{ opt_out }}",
        ),
    ),
    (
        "pre_due_reminder",
        "in_app",
        (
            "{{ due_date }}有一期还款",
            "{{ customer_name }}您好：\n\n"
            "您的{{ product_name }}（合同编号{{ contract_number }}）本期应还金额为{{ amount_due }}，"
            "还款日为{{ due_date }}。\n\n"
            "您可以在这里还款：{{ pay_url }}\n\n"
            "如已安排还款，请忽略本提醒。",
        ),
        (
            "A payment is due on {{ due_date }}",
            "Hello {{ customer_name }},\n\n"
            "Your next payment on {{ product_name }} (contract {{ contract_number }}) is {{ amount_due }}, "
            "due on {{ due_date }}.\n\n"
            "You can pay here: {{ pay_url }}\n\n"
            "If you have already arranged the payment, please ignore this reminder.",
        ),
    ),
    # --- on the due date -------------------------------------------------------------------------
    (
        "due_today",
        "sms",
        (
            "",
            "【{{ company_name }}】{{ customer_name }}您好，您的合同{{ contract_number }}今天（{{ due_date }}）"
            "到期，应还{{ amount_due }}。还款：{{ pay_url }} 已还款请忽略。{{ opt_out }}",
        ),
        (
            "",
            "{{ company_name }}: Hi {{ customer_name }}, {{ amount_due }} on contract {{ contract_number }} is due "
            "today ({{ due_date }}). Pay: {{ pay_url }} Already paid? Please ignore this. {{ opt_out }}",
        ),
    ),
    (
        "due_today",
        "in_app",
        (
            "今天是还款日",
            "{{ customer_name }}您好：\n\n"
            "您的{{ product_name }}（合同编号{{ contract_number }}）本期还款日是今天（{{ due_date }}），"
            "应还金额为{{ amount_due }}。\n\n"
            "立即还款：{{ pay_url }}\n\n"
            "如已还款，请忽略本提醒；款项到账可能需要一点时间。",
        ),
        (
            "Your payment is due today",
            "Hello {{ customer_name }},\n\n"
            "Your payment on {{ product_name }} (contract {{ contract_number }}) is due today ({{ due_date }}). "
            "The amount due is {{ amount_due }}.\n\n"
            "Pay now: {{ pay_url }}\n\n"
            "If you have already paid, please ignore this reminder; payments can take a little time to arrive.",
        ),
    ),
    # --- overdue ---------------------------------------------------------------------------------
    (
        "overdue_reminder",
        "sms",
        (
            "",
            "【{{ company_name }}】{{ customer_name }}您好，您的合同{{ contract_number }}已逾期{{ days_overdue }}天，"
            "应还{{ amount_due }}，请于{{ deadline }}前还款：{{ pay_url }} 如有异议：{{ dispute_url }} "
            "还款有困难可联系我们协商。{{ opt_out }}",
        ),
        (
            "",
            "{{ company_name }}: Hi {{ customer_name }}, contract {{ contract_number }} is {{ days_overdue }} days "
            "overdue. Amount due: {{ amount_due }}. Please pay by {{ deadline }}: {{ pay_url }} "
            "Disagree? {{ dispute_url }} Finding it hard to pay? Contact us to agree a plan. {{ opt_out }}",
        ),
    ),
    (
        "overdue_reminder",
        "email",
        (
            "合同{{ contract_number }}还款提醒",
            "{{ customer_name }}您好：\n\n"
            "您的{{ product_name }}（合同编号{{ contract_number }}）有一期还款尚未到账，"
            "目前已逾期{{ days_overdue }}天。\n\n"
            "应还金额：{{ amount_due }}\n"
            "原还款日：{{ due_date }}\n"
            "请于此日期前还款：{{ deadline }}\n\n"
            "在线还款：{{ pay_url }}\n\n"
            "如果您认为金额有误，或已经还款但尚未入账，请通过以下链接告诉我们，我们会核实后答复：{{ dispute_url }}\n\n"
            "如果您暂时有还款困难，欢迎与我们联系，我们可以一起商量可行的还款安排。\n\n"
            "{{ company_name }}\n\n"
            "{{ opt_out }}",
        ),
        (
            "Payment reminder for contract {{ contract_number }}",
            "Hello {{ customer_name }},\n\n"
            "A payment on your {{ product_name }} (contract {{ contract_number }}) has not reached us yet; "
            "it is now {{ days_overdue }} days overdue.\n\n"
            "Amount due: {{ amount_due }}\n"
            "Original due date: {{ due_date }}\n"
            "Please pay by: {{ deadline }}\n\n"
            "Pay online: {{ pay_url }}\n\n"
            "If you think the amount is wrong, or you have paid and it has not been credited yet, please tell us "
            "here and we will check and reply: {{ dispute_url }}\n\n"
            "If you are finding it hard to pay at the moment, please get in touch: we can work out a repayment "
            "arrangement together.\n\n"
            "{{ company_name }}\n\n"
            "{{ opt_out }}",
        ),
    ),
    (
        "overdue_banner",
        "in_app",
        (
            "有一期还款已逾期{{ days_overdue }}天",
            "您的合同{{ contract_number }}已逾期{{ days_overdue }}天，应还金额{{ amount_due }}。"
            "请于{{ deadline }}前还款：{{ pay_url }}\n"
            "如对金额有异议，请点击：{{ dispute_url }}\n"
            "如有还款困难，可以联系我们协商还款安排。",
        ),
        (
            "A payment is {{ days_overdue }} days overdue",
            "Contract {{ contract_number }} is {{ days_overdue }} days overdue; the amount due is {{ amount_due }}. "
            "Please pay by {{ deadline }}: {{ pay_url }}\n"
            "If you disagree with the amount: {{ dispute_url }}\n"
            "If you are finding it hard to pay, contact us to agree a repayment arrangement.",
        ),
    ),
    (
        "call_task",
        "call",
        (
            "",
            "外呼任务：合同{{ contract_number }}已逾期{{ days_overdue }}天，应还金额{{ amount_due }}。\n"
            "通话要点：\n"
            "1. 先核实对方身份，只与客户本人谈及欠款；\n"
            "2. 说明应还金额和还款方式，并告知异议渠道；\n"
            "3. 客户表示有困难时，如实记录并介绍协商还款安排；\n"
            "4. 礼貌沟通，不得威胁、恐吓或贬损客户，不得向任何第三方透露欠款信息；\n"
            "5. 遵守允许拨打的时段和次数，如实记录通话结果。",
        ),
        (
            "",
            "Call task: contract {{ contract_number }} is {{ days_overdue }} days overdue; amount due "
            "{{ amount_due }}.\n"
            "On the call:\n"
            "1. Verify identity first; discuss the debt with the customer only.\n"
            "2. State the amount due and how to pay, and explain how to dispute.\n"
            "3. If the customer is in difficulty, record it and offer a repayment arrangement.\n"
            "4. Be courteous: no threats, intimidation or belittling, and no disclosure of the debt to anyone else.\n"
            "5. Keep to the permitted calling times and limits, and record the outcome accurately.",
        ),
    ),
    # --- after the grace period (products with on-site service) ---------------------------------
    (
        "suspension_notice",
        "letter",
        (
            "服务暂停通知（合同{{ contract_number }}）",
            "{{ customer_name }}：\n\n"
            "您好。您的{{ product_name }}（合同编号{{ contract_number }}）宽限期已经结束，"
            "目前应还金额为{{ amount_due }}，尚未结清。\n\n"
            "根据合同约定，自{{ effective_date }}起，我们将暂停为您提供上门服务。"
            "暂停服务不影响您依法享有的其他权利。\n\n"
            "恢复服务的方式：{{ restore_how }}\n\n"
            "如您对本通知或应还金额有异议，或认为暂停服务不当，可以通过以下方式提出申诉，"
            "我们会复核并书面答复：{{ appeal_url }}\n\n"
            "如您暂时有还款困难，欢迎与我们联系，商量可行的还款安排。\n\n"
            "{{ company_name }}",
        ),
        (
            "Notice of service suspension (contract {{ contract_number }})",
            "Dear {{ customer_name }},\n\n"
            "The grace period on your {{ product_name }} (contract {{ contract_number }}) has ended and "
            "{{ amount_due }} is still outstanding.\n\n"
            "As the contract provides, on-site service will be suspended from {{ effective_date }}. "
            "The suspension does not affect any of your other rights.\n\n"
            "How to restore the service: {{ restore_how }}\n\n"
            "If you disagree with this notice or the amount, or think the suspension is not justified, you can "
            "appeal here; we will review it and answer in writing: {{ appeal_url }}\n\n"
            "If you are finding it hard to pay, please contact us to work out a repayment arrangement.\n\n"
            "{{ company_name }}",
        ),
    ),
    (
        "suspension_notice",
        "sms",
        (
            "",
            "【{{ company_name }}】{{ customer_name }}您好，您的合同{{ contract_number }}尚有{{ amount_due }}未结清，"
            "上门服务将自{{ effective_date }}起暂停。恢复方式：{{ restore_how }} 申诉：{{ appeal_url }} {{ opt_out }}",
        ),
        (
            "",
            "{{ company_name }}: Hi {{ customer_name }}, {{ amount_due }} is outstanding on contract "
            "{{ contract_number }}; on-site service is suspended from {{ effective_date }}. To restore it: "
            "{{ restore_how }} To appeal: {{ appeal_url }} {{ opt_out }}",
        ),
    ),
    (
        "suspension_notice",
        "in_app",
        (
            "上门服务将自{{ effective_date }}起暂停",
            "{{ customer_name }}您好：\n\n"
            "您的{{ product_name }}（合同编号{{ contract_number }}）宽限期已结束，应还金额{{ amount_due }}尚未结清。"
            "根据合同约定，上门服务将自{{ effective_date }}起暂停。\n\n"
            "恢复服务的方式：{{ restore_how }}\n\n"
            "如有异议，可以在这里提出申诉，我们会复核并答复：{{ appeal_url }}\n\n"
            "如有还款困难，欢迎联系我们协商还款安排。",
        ),
        (
            "On-site service is suspended from {{ effective_date }}",
            "Hello {{ customer_name }},\n\n"
            "The grace period on your {{ product_name }} (contract {{ contract_number }}) has ended and "
            "{{ amount_due }} is still outstanding. As the contract provides, on-site service will be suspended "
            "from {{ effective_date }}.\n\n"
            "How to restore the service: {{ restore_how }}\n\n"
            "If you disagree, you can appeal here and we will review it and reply: {{ appeal_url }}\n\n"
            "If you are finding it hard to pay, contact us to agree a repayment arrangement.",
        ),
    ),
    # --- legal steps -----------------------------------------------------------------------------
    (
        "lawyer_letter",
        "letter",
        (
            "律师函（合同{{ contract_number }}）",
            "{{ customer_name }}：\n\n"
            "受{{ company_name }}委托，现就您所签合同（编号{{ contract_number }}）项下的欠款事宜函告如下。\n\n"
            "该合同已逾期{{ days_overdue }}天，截至本函出具之日尚欠款项明细如下：\n\n"
            "{{ itemised_amounts }}\n\n"
            "请您于{{ final_grace_date }}前结清上述款项，或与{{ company_name }}联系商定还款安排。"
            "还款方式：{{ pay_url }}\n\n"
            "如您对上述金额有异议，请在该日期前通过以下方式提出，{{ company_name }}将核实并书面答复："
            "{{ dispute_url }}\n\n"
            "如届时款项仍未结清且未达成还款安排，{{ company_name }}可能依法通过诉讼等法律途径主张权利。\n\n"
            "本函仅寄送您本人，您的个人信息依法予以保护。\n\n"
            "特此函告。",
        ),
        (
            "Lawyer's letter (contract {{ contract_number }})",
            "Dear {{ customer_name }},\n\n"
            "We write on behalf of {{ company_name }} about the amount outstanding under your contract "
            "{{ contract_number }}.\n\n"
            "The contract is {{ days_overdue }} days overdue. On the date of this letter the following amounts "
            "are outstanding:\n\n"
            "{{ itemised_amounts }}\n\n"
            "Please pay these amounts by {{ final_grace_date }}, or contact {{ company_name }} before then to agree "
            "a repayment arrangement. How to pay: {{ pay_url }}\n\n"
            "If you dispute any of these amounts, please tell {{ company_name }} before that date here; the "
            "dispute will be checked and answered in writing: {{ dispute_url }}\n\n"
            "If the amounts remain unpaid and no arrangement has been agreed by then, {{ company_name }} may "
            "pursue its rights through the courts or other lawful means.\n\n"
            "This letter is sent to you alone; your personal information is protected as the law requires.\n\n"
            "Yours faithfully",
        ),
    ),
    (
        "legal_review",
        "call",
        (
            "",
            "法务转介审核：合同{{ contract_number }}已逾期{{ days_overdue }}天，应还金额{{ amount_due }}。\n"
            "转交法律程序前请核对：\n"
            "1. 账务明细准确，罚息和费用未超过合同约定和法定上限；\n"
            "2. 没有未结的异议、投诉或申诉，没有有效的还款计划或暂停催收安排；\n"
            "3. 律师函等书面通知已按规定送达，最后宽限日已过；\n"
            "4. 以往的联系记录合规。\n"
            "请记录审核结论和理由。",
        ),
        (
            "",
            "Legal-referral review: contract {{ contract_number }} is {{ days_overdue }} days overdue; amount due "
            "{{ amount_due }}.\n"
            "Before referring it, check that:\n"
            "1. the ledger is correct and penalty interest and fees are within the contract and the legal caps;\n"
            "2. no dispute, complaint or appeal is open and no repayment plan or collection hold is in force;\n"
            "3. the lawyer's letter and other written notices were delivered and the final grace date has passed;\n"
            "4. past contacts were compliant.\n"
            "Record the decision and the reasons.",
        ),
    ),
]

# --- disputes, complaints and appeals: acknowledgement and outcome, on every written channel -----
_ACK_ZH_BODY = (
    "{{ customer_name }}您好：\n\n"
    "我们已收到您提交的事项（编号{{ case_reference }}），会认真核实，并在{{ answer_by }}前给您答复。\n\n"
    "处理期间，您可以随时登录查看进展或补充材料。"
)
_ACK_EN_BODY = (
    "Hello {{ customer_name }},\n\n"
    "We have received your request (reference {{ case_reference }}). We will look into it carefully and "
    "answer by {{ answer_by }}.\n\n"
    "You can log in at any time to follow its progress or add documents."
)
_RESOLUTION_ZH_BODY = (
    "{{ customer_name }}您好：\n\n"
    "您提交的事项（编号{{ case_reference }}）已经处理完毕。\n\n"
    "处理结果：{{ outcome }}\n\n"
    "理由：{{ reasons }}\n\n"
    "如您对结果仍有异议，可以补充材料请我们再次复核，也可以依法向金融消费纠纷调解组织或金融管理部门反映。"
)
_RESOLUTION_EN_BODY = (
    "Hello {{ customer_name }},\n\n"
    "We have finished handling your request (reference {{ case_reference }}).\n\n"
    "Outcome: {{ outcome }}\n\n"
    "Reasons: {{ reasons }}\n\n"
    "If you still disagree, you can send us further documents for another review, or refer the matter to a "
    "financial dispute mediation body or the financial regulator."
)
_ACK_ZH_SUBJECT = "我们已收到您的申请（编号{{ case_reference }}）"
_ACK_EN_SUBJECT = "We have received your request ({{ case_reference }})"
_RESOLUTION_ZH_SUBJECT = "您的申请处理结果（编号{{ case_reference }}）"
_RESOLUTION_EN_SUBJECT = "The outcome of your request ({{ case_reference }})"

_TEXTS += [
    (
        "acknowledgement",
        "sms",
        (
            "",
            "【{{ company_name }}】{{ customer_name }}您好，我们已收到您提交的事项（编号{{ case_reference }}），"
            "将在{{ answer_by }}前答复。{{ opt_out }}",
        ),
        (
            "",
            "{{ company_name }}: Hi {{ customer_name }}, we have received your request {{ case_reference }} and "
            "will answer by {{ answer_by }}. {{ opt_out }}",
        ),
    ),
    (
        "acknowledgement",
        "email",
        (_ACK_ZH_SUBJECT, _ACK_ZH_BODY + "\n\n{{ company_name }}\n\n{{ opt_out }}"),
        (_ACK_EN_SUBJECT, _ACK_EN_BODY + "\n\n{{ company_name }}\n\n{{ opt_out }}"),
    ),
    ("acknowledgement", "in_app", (_ACK_ZH_SUBJECT, _ACK_ZH_BODY), (_ACK_EN_SUBJECT, _ACK_EN_BODY)),
    (
        "acknowledgement",
        "letter",
        (_ACK_ZH_SUBJECT, _ACK_ZH_BODY + "\n\n{{ company_name }}"),
        (_ACK_EN_SUBJECT, _ACK_EN_BODY + "\n\n{{ company_name }}"),
    ),
    (
        "resolution",
        "sms",
        (
            "",
            "【{{ company_name }}】{{ customer_name }}您好，您提交的事项（编号{{ case_reference }}）已处理完毕。"
            "结果：{{ outcome }}。理由：{{ reasons }}。详情请登录查看。{{ opt_out }}",
        ),
        (
            "",
            "{{ company_name }}: Hi {{ customer_name }}, your request {{ case_reference }} has been decided. "
            "Outcome: {{ outcome }}. Reasons: {{ reasons }}. Log in for details. {{ opt_out }}",
        ),
    ),
    (
        "resolution",
        "email",
        (_RESOLUTION_ZH_SUBJECT, _RESOLUTION_ZH_BODY + "\n\n{{ company_name }}\n\n{{ opt_out }}"),
        (_RESOLUTION_EN_SUBJECT, _RESOLUTION_EN_BODY + "\n\n{{ company_name }}\n\n{{ opt_out }}"),
    ),
    (
        "resolution",
        "in_app",
        (_RESOLUTION_ZH_SUBJECT, _RESOLUTION_ZH_BODY),
        (_RESOLUTION_EN_SUBJECT, _RESOLUTION_EN_BODY),
    ),
    (
        "resolution",
        "letter",
        (_RESOLUTION_ZH_SUBJECT, _RESOLUTION_ZH_BODY + "\n\n{{ company_name }}"),
        (_RESOLUTION_EN_SUBJECT, _RESOLUTION_EN_BODY + "\n\n{{ company_name }}"),
    ),
]

# --- field visits: told in advance, with the officers and how to ask for a call instead ----------
_VISIT_ZH_SUBJECT = "上门走访预约通知"
_VISIT_EN_SUBJECT = "A visit is planned"
_VISIT_ZH_BODY = (
    "{{ customer_name }}您好：\n\n"
    "我们计划于{{ visit_time }}派两名工作人员上门拜访，与您当面沟通。来访人员：{{ officers }}，"
    "他们会主动出示工作证件，未经您同意不会进入您的住所。\n\n"
    "如您更希望电话沟通，可以在这里选择改为电话联系，届时不会有人上门：{{ call_instead_url }}"
)
_VISIT_EN_BODY = (
    "Hello {{ customer_name }},\n\n"
    "Two of our staff plan to visit you on {{ visit_time }} to talk in person. They are {{ officers }}; "
    "they will show their identity cards and will not enter your home without your consent.\n\n"
    "If you would rather talk by phone, choose a call instead here and nobody will come: {{ call_instead_url }}"
)

_TEXTS += [
    (
        "visit_notice",
        "sms",
        (
            "",
            "【{{ company_name }}】{{ customer_name }}您好，我们计划于{{ visit_time }}派两名工作人员上门拜访"
            "（{{ officers }}，会出示证件）。如希望改为电话沟通：{{ call_instead_url }} {{ opt_out }}",
        ),
        (
            "",
            "{{ company_name }}: Hi {{ customer_name }}, two of our staff ({{ officers }}, with ID) plan to visit you "
            "on {{ visit_time }}. To have a call instead: {{ call_instead_url }} {{ opt_out }}",
        ),
    ),
    ("visit_notice", "in_app", (_VISIT_ZH_SUBJECT, _VISIT_ZH_BODY), (_VISIT_EN_SUBJECT, _VISIT_EN_BODY)),
    (
        "visit_notice",
        "email",
        (_VISIT_ZH_SUBJECT, _VISIT_ZH_BODY + "\n\n{{ company_name }}\n\n{{ opt_out }}"),
        (_VISIT_EN_SUBJECT, _VISIT_EN_BODY + "\n\n{{ company_name }}\n\n{{ opt_out }}"),
    ),
]

_RESTORED_ZH_SUBJECT = "上门服务已恢复（合同 {{ contract_number }}）"
_RESTORED_ZH_BODY = (
    "{{ customer_name }}您好：\n\n"
    "您的合同 {{ contract_number }} 的上门服务已于 {{ restored_on }} 恢复（{{ reason }}），"
    "您可以照常预约上门服务。\n\n如有疑问，请在“我的账户”中联系我们。"
)
_RESTORED_EN_SUBJECT = "On-site service restored (contract {{ contract_number }})"
_RESTORED_EN_BODY = (
    "Hello {{ customer_name }},\n\n"
    "On-site service for your contract {{ contract_number }} was restored on {{ restored_on }} ({{ reason }}). "
    "You can book visits again as usual.\n\nIf you have a question, contact us from your account."
)
_TEXTS += [
    (
        "service_restored",
        "sms",
        (
            "",
            "【{{ company_name }}】{{ customer_name }}您好，合同{{ contract_number }}的上门服务"
            "已于{{ restored_on }}恢复。{{ opt_out }}",
        ),
        (
            "",
            "{{ company_name }}: Hi {{ customer_name }}, on-site service for contract {{ contract_number }} was "
            "restored on {{ restored_on }}. {{ opt_out }}",
        ),
    ),
    (
        "service_restored",
        "in_app",
        (_RESTORED_ZH_SUBJECT, _RESTORED_ZH_BODY),
        (_RESTORED_EN_SUBJECT, _RESTORED_EN_BODY),
    ),
    (
        "service_restored",
        "email",
        (_RESTORED_ZH_SUBJECT, _RESTORED_ZH_BODY + "\n\n{{ company_name }}\n\n{{ opt_out }}"),
        (_RESTORED_EN_SUBJECT, _RESTORED_EN_BODY + "\n\n{{ company_name }}\n\n{{ opt_out }}"),
    ),
]

DEFAULT_TEXTS: Final[dict[tuple[str, str, str], Text]] = {
    key: text
    for purpose, channel, zh, en in _TEXTS
    for key, text in (((purpose, channel, ZH), zh), ((purpose, channel, EN), en))
}
