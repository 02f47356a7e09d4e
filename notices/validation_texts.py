"""The wording of the validation notice in English and Spanish, following the CFPB's model
forms B-1 and B-2 (12 CFR part 1006, appendix B). These are legal texts with placeholders,
not interface strings: the notice is in the language of the form, whatever the portal's.

``notice_content`` gives one structure that the PDF, the portal's HTML copy and the text of an
emailed notice are all rendered from, so the three say the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Final

from .validation import CFPB_REFERENCE

if TYPE_CHECKING:
    from .models import ValidationNotice

TEXTS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "title": "Validation notice",
        "reference": "Reference: {reference}",
        "to": "To: {consumer_name}",
        "from": "From: {collector_name}",
        "intro": (
            "{collector_name} is a debt collector. We are trying to collect a debt that you owe to "
            "{creditor_name}. We will use any information you give us to help collect the debt."
        ),
        "our_information": "Our information shows:",
        "account": "You had a {product_name} from {creditor_name} with account number {account_number}.",
        "original_creditor": "The original creditor was {original_creditor_name}.",
        "as_of": "As of {itemization_date}, you owed:",
        "between": "Between {itemization_date} and today:",
        "interest": "You were charged this amount in interest:",
        "fees": "You were charged this amount in fees:",
        "payments": "You paid or were credited this amount toward the debt:",
        "total": "Total amount of the debt now:",
        "dispute_heading": "How can you dispute the debt?",
        "dispute_call": (
            "Call or write to us by {end_date}, to dispute all or part of the debt. If you do not, we will "
            "assume that our information is correct."
        ),
        "dispute_write": (
            "If you write to us by {end_date}, we must stop collection on any amount you dispute until we "
            "send you information that shows you owe the debt. You may use the form below or write to us "
            "without the form. You may also include supporting documents. We accept disputes electronically "
            "at {dispute_url}."
        ),
        "else_heading": "What else can you do?",
        "original_request": (
            "Write to ask for the name and address of the original creditor, if different from the current "
            "creditor. If you write by {end_date}, we must stop collection until we send you that information. "
            "You may use the form below or write to us without the form. We accept such requests electronically "
            "at {dispute_url}."
        ),
        "cfpb": "Go to {cfpb} to learn more about your rights under federal law.",
        "payment_options": "Contact us about your payment options.",
        "contact": "Reach us: {collector_phone}, {collector_hours}. Write to us: {collector_address}",
        "spanish": "Póngase en contacto con nosotros para solicitar una copia de este formulario en español.",
        "tear_off": "- - - - - - - - - - Detach here and mail this part to us - - - - - - - - - -",
        "respond_heading": "How do you want to respond?",
        "mail_to": "Mail this form to: {collector_name}, {collector_address}",
        "check_all": "Check all that apply:",
        "dispute_because": "I want to dispute the debt because I think:",
        "not_mine": "This is not my debt.",
        "amount_wrong": "The amount is wrong.",
        "other": "Other (please describe on reverse or attach additional information).",
        "want_original": "I want you to send me the name and address of the original creditor.",
        "enclosed": "I enclosed this amount: $________",
        "payable": "Make your check payable to {collector_name}. Include the reference number {reference}.",
        "want_spanish": "Quiero este formulario en español.",
        "period_note": (
            "We assume you receive this notice on {received_on} (five days after we send it, not counting "
            "legal public holidays, Saturdays and Sundays); the validation period ends on {end_date}."
        ),
    },
    "es": {
        "title": "Aviso de validación",
        "reference": "Referencia: {reference}",
        "to": "Para: {consumer_name}",
        "from": "De: {collector_name}",
        "intro": (
            "{collector_name} es un cobrador de deudas. Estamos tratando de cobrar una deuda que usted le debe a "
            "{creditor_name}. Usaremos cualquier información que nos dé para ayudar a cobrar la deuda."
        ),
        "our_information": "Nuestra información indica:",
        "account": "Usted tenía un/a {product_name} de {creditor_name} con el número de cuenta {account_number}.",
        "original_creditor": "El acreedor original era {original_creditor_name}.",
        "as_of": "Al {itemization_date}, usted debía:",
        "between": "Entre el {itemization_date} y hoy:",
        "interest": "Se le cobró esta cantidad en intereses:",
        "fees": "Se le cobró esta cantidad en cargos:",
        "payments": "Usted pagó o se le acreditó esta cantidad a la deuda:",
        "total": "Cantidad total de la deuda ahora:",
        "dispute_heading": "¿Cómo puede disputar la deuda?",
        "dispute_call": (
            "Llámenos o escríbanos antes del {end_date} para disputar toda o parte de la deuda. Si no lo hace, "
            "asumiremos que nuestra información es correcta."
        ),
        "dispute_write": (
            "Si nos escribe antes del {end_date}, debemos dejar de cobrar cualquier cantidad que usted dispute "
            "hasta que le enviemos información que demuestre que usted debe la deuda. Puede usar el formulario "
            "a continuación o escribirnos sin el formulario. También puede incluir documentos de respaldo. "
            "Aceptamos disputas electrónicamente en {dispute_url}."
        ),
        "else_heading": "¿Qué más puede hacer?",
        "original_request": (
            "Escríbanos para pedir el nombre y la dirección del acreedor original, si es diferente del acreedor "
            "actual. Si nos escribe antes del {end_date}, debemos dejar de cobrar hasta que le enviemos esa "
            "información. Puede usar el formulario a continuación o escribirnos sin el formulario. Aceptamos "
            "estas solicitudes electrónicamente en {dispute_url}."
        ),
        "cfpb": "Visite {cfpb} para obtener más información sobre sus derechos según la ley federal.",
        "payment_options": "Comuníquese con nosotros para informarse sobre sus opciones de pago.",
        "contact": "Llámenos: {collector_phone}, {collector_hours}. Escríbanos: {collector_address}",
        "spanish": "Esta es la copia en español de su aviso de validación; también puede pedirla en inglés.",
        "tear_off": "- - - - - - - - - - Desprenda aquí y envíenos esta parte por correo - - - - - - - - - -",
        "respond_heading": "¿Cómo desea responder?",
        "mail_to": "Envíe este formulario por correo a: {collector_name}, {collector_address}",
        "check_all": "Marque todo lo que corresponda:",
        "dispute_because": "Quiero disputar la deuda porque creo que:",
        "not_mine": "Esta no es mi deuda.",
        "amount_wrong": "La cantidad es incorrecta.",
        "other": "Otro (describa en el reverso o adjunte información adicional).",
        "want_original": "Quiero que me envíen el nombre y la dirección del acreedor original.",
        "enclosed": "Adjunté esta cantidad: $________",
        "payable": "Haga su cheque pagadero a {collector_name}. Incluya el número de referencia {reference}.",
        "want_spanish": "Quiero este formulario en inglés.",
        "period_note": (
            "Asumimos que usted recibe este aviso el {received_on} (cinco días después de enviarlo, sin contar "
            "los días feriados oficiales, sábados y domingos); el período de validación termina el {end_date}."
        ),
    },
}
CHECKBOX: Final = "[  ]"
MONTHS_ES: Final = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]


def format_date(value, locale: str) -> str:  # type: ignore[no-untyped-def]
    if locale == "es":
        return f"{value.day} de {MONTHS_ES[value.month - 1]} de {value.year}"
    return f"{value:%B} {value.day}, {value.year}"


def format_amount(value: Decimal, currency: str) -> str:
    sign = "-" if value < 0 else ""
    symbol = "$" if currency == "USD" else f"{currency} "
    return f"{sign}{symbol}{abs(value):,.2f}"


@dataclass
class NoticeContent:
    """The notice as lines and a table, in one language."""

    locale: str
    title: str
    header: list[str]
    intro: list[str]
    itemization: list[tuple[str, str]]  # (label, amount): owed then, interest, fees, payments, total
    sections: list[tuple[str, list[str]]]  # (heading, paragraphs)
    tear_off: list[str]
    checkboxes: list[str] = field(default_factory=list)

    def as_text(self) -> str:
        lines = [self.title, "", *self.header, "", *self.intro, ""]
        lines += [f"{label} {amount}" for label, amount in self.itemization]
        for heading, paragraphs in self.sections:
            lines += ["", heading, *paragraphs]
        lines += ["", *self.tear_off]
        return "\n".join(lines)


def notice_content(notice: ValidationNotice, locale: str | None = None) -> NoticeContent:
    """Form B-1's content (B-2 in Spanish) for ``notice``."""
    locale = locale if locale in TEXTS else notice.locale if notice.locale in TEXTS else "en"
    text = TEXTS[locale]
    values = {
        "reference": notice.reference,
        "consumer_name": notice.consumer_name,
        "collector_name": notice.collector_name,
        "collector_address": " ".join(notice.collector_address.split()),
        "collector_phone": notice.collector_phone,
        "collector_hours": notice.collector_hours,
        "creditor_name": notice.creditor_name,
        "original_creditor_name": notice.original_creditor_name,
        "product_name": notice.product_name,
        "account_number": notice.account_number_masked,
        "itemization_date": format_date(notice.itemization_date, locale),
        "end_date": format_date(notice.validation_period_end, locale),
        "received_on": format_date(notice.assumed_received_on, locale),
        "dispute_url": notice.dispute_url,
        "cfpb": CFPB_REFERENCE,
    }

    def t(key: str) -> str:
        return text[key].format(**values)

    def money(value: Decimal, sign: str = "") -> str:
        return f"{sign}{format_amount(value, notice.currency)}"

    header = [t("reference"), t("from"), " ".join(notice.collector_address.split()), t("to")]
    header += [line for line in notice.consumer_address.splitlines() if line.strip()]
    intro = [t("intro"), t("our_information"), t("account")]
    if notice.original_creditor_name:
        intro.append(t("original_creditor"))
    itemization = [
        (t("as_of"), money(notice.owed_at_itemization)),
        (t("between"), ""),
        (t("interest"), money(notice.interest_since, "+ ")),
        (t("fees"), money(notice.fees_since, "+ ")),
        (t("payments"), money(notice.payments_credits_since, "- ")),
        (t("total"), money(notice.owed_now)),
    ]
    sections = [
        (t("dispute_heading"), [t("dispute_call"), t("dispute_write"), t("period_note")]),
        (t("else_heading"), [t("original_request"), t("cfpb"), t("payment_options"), t("contact"), t("spanish")]),
    ]
    checkboxes = [t("not_mine"), t("amount_wrong"), t("other")]
    tear_off = [
        t("tear_off"),
        t("respond_heading"),
        t("mail_to"),
        t("check_all"),
        t("dispute_because"),
        *(f"{CHECKBOX} {line}" for line in checkboxes),
        f"{CHECKBOX} {t('want_original')}",
        f"{CHECKBOX} {t('enclosed')}",
        t("payable"),
        f"{CHECKBOX} {t('want_spanish')}",
        t("reference"),
        t("to"),
    ]
    return NoticeContent(
        locale=locale,
        title=t("title"),
        header=header,
        intro=intro,
        itemization=itemization,
        sections=sections,
        tear_off=tear_off,
        checkboxes=checkboxes,
    )
