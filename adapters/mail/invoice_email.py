"""The e-mail a buyer receives: Spanish text and the country's attachments (PDF and XML)."""

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from html import escape

from adapters.countries import Attachment

DOCUMENT_NAMES = {"invoice": "Factura electrónica", "credit_note": "Nota de crédito electrónica"}


@dataclass(frozen=True)
class InvoiceEmail:
    message_id: str
    sender_name: str
    sender_address: str
    recipient: str
    buyer_name: str
    kind: str
    document_number: str
    access_key: str | None
    total: Decimal
    attachments: list[Attachment]
    pending_authorization: bool = False


def compose(mail: InvoiceEmail) -> EmailMessage:
    document = DOCUMENT_NAMES.get(mail.kind, "Comprobante electrónico")
    message = EmailMessage()
    message["Message-ID"] = mail.message_id
    message["Date"] = format_datetime(datetime.now(UTC))
    message["From"] = formataddr((mail.sender_name, mail.sender_address))
    message["To"] = mail.recipient
    message["Subject"] = f"{document} {mail.document_number} de {mail.sender_name}"
    status = (
        "El comprobante fue emitido y está pendiente de autorización de la autoridad tributaria, que no "
        "estaba disponible; le enviaremos la versión autorizada apenas la recibamos."
        if mail.pending_authorization
        else "El comprobante fue autorizado por la autoridad tributaria."
    )
    key_line = f"Clave de acceso: {mail.access_key}\n" if mail.access_key else ""
    message.set_content(
        f"Estimado(a) {mail.buyer_name}:\n\n{status}\n\n{document}: {mail.document_number}\n{key_line}"
        f"Valor total: {mail.total:.2f}\n\nAdjuntamos la representación impresa en PDF y el comprobante "
        "electrónico en XML. Conserve el XML: es el documento con validez tributaria.\n\n"
        f"Atentamente,\n{mail.sender_name}\n")
    message.add_alternative(_html(mail, document, status), subtype="html")
    for attachment in mail.attachments:
        message.add_attachment(attachment.content, maintype=attachment.maintype, subtype=attachment.subtype,
                               filename=attachment.filename)
    return message


def _html(mail: InvoiceEmail, document: str, status: str) -> str:
    rows = [(document, mail.document_number), ("Valor total", f"{mail.total:.2f}")]
    if mail.access_key:
        rows.insert(1, ("Clave de acceso", mail.access_key))
    table = "".join(f'<tr><td style="padding:2px 12px 2px 0"><b>{escape(k)}</b></td><td>{escape(v)}</td></tr>'
                    for k, v in rows)
    return (
        '<html><body style="font-family: sans-serif; color: #222">'
        f"<p>Estimado(a) {escape(mail.buyer_name)}:</p><p>{escape(status)}</p>"
        f'<table style="border-collapse: collapse">{table}</table>'
        "<p>Adjuntamos la representación impresa en PDF y el comprobante electrónico en XML.</p>"
        f"<p>Atentamente,<br>{escape(mail.sender_name)}</p></body></html>"
    )
