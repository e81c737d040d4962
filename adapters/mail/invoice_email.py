"""The e-mail a buyer receives: Spanish text, the RIDE PDF and the authorized XML attached."""

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from html import escape


@dataclass(frozen=True)
class InvoiceEmail:
    message_id: str
    sender_name: str
    sender_address: str
    recipient: str
    buyer_name: str
    document_number: str
    access_key: str
    total: Decimal
    pdf: bytes
    xml: bytes
    pending_authorization: bool = False


def compose(mail: InvoiceEmail) -> EmailMessage:
    message = EmailMessage()
    message["Message-ID"] = mail.message_id
    message["Date"] = format_datetime(datetime.now(UTC))
    message["From"] = formataddr((mail.sender_name, mail.sender_address))
    message["To"] = mail.recipient
    message["Subject"] = f"Factura electrónica {mail.document_number} de {mail.sender_name}"
    status = (
        "Su factura fue emitida y está pendiente de autorización del SRI; le enviaremos la versión "
        "autorizada apenas el SRI la confirme."
        if mail.pending_authorization
        else "Su factura fue autorizada por el Servicio de Rentas Internas (SRI)."
    )
    text = (
        f"Estimado(a) {mail.buyer_name}:\n\n{status}\n\n"
        f"Número: {mail.document_number}\nClave de acceso: {mail.access_key}\n"
        f"Valor total: USD {mail.total:.2f}\n\n"
        "Adjuntamos la representación impresa (RIDE) en PDF y el comprobante electrónico en XML. "
        "Conserve el XML: es el documento con validez tributaria.\n\n"
        f"Atentamente,\n{mail.sender_name}\n"
    )
    message.set_content(text)
    message.add_alternative(_html(mail, status), subtype="html")
    base = f"FACTURA-{mail.document_number}"
    message.add_attachment(mail.pdf, maintype="application", subtype="pdf", filename=f"{base}.pdf")
    message.add_attachment(mail.xml, maintype="application", subtype="xml", filename=f"{base}.xml")
    return message


def _html(mail: InvoiceEmail, status: str) -> str:
    return (
        "<html><body style=\"font-family: sans-serif; color: #222\">"
        f"<p>Estimado(a) {escape(mail.buyer_name)}:</p><p>{escape(status)}</p>"
        "<table style=\"border-collapse: collapse\">"
        f"<tr><td style=\"padding:2px 12px 2px 0\"><b>Número</b></td><td>{escape(mail.document_number)}</td></tr>"
        f"<tr><td style=\"padding:2px 12px 2px 0\"><b>Clave de acceso</b></td><td>{escape(mail.access_key)}</td></tr>"
        f"<tr><td style=\"padding:2px 12px 2px 0\"><b>Valor total</b></td><td>USD {mail.total:.2f}</td></tr>"
        "</table><p>Adjuntamos el RIDE en PDF y el comprobante electrónico en XML.</p>"
        f"<p>Atentamente,<br>{escape(mail.sender_name)}</p></body></html>"
    )
