"""The printed representation (PDF) of a stored document, by country, from the document alone.

The country profiles print through these functions, and so does the dedicated pdf worker
(`python -m pdf_worker`), which imports nothing else of the profiles (no signing keys, authority
clients, ledger or mail): that process only renders, so it should weigh only what rendering needs.
Each country's renderer (template, stylesheet, font map) is built once per process on first use.
"""

from collections.abc import Callable

from domain.errors import ConfigurationError
from domain.invoice import Authorization, DocumentKind

Printer = Callable[[bytes, Authorization | None, DocumentKind], bytes]


def print_ecuador(document: bytes, authorization: Authorization | None, kind: DocumentKind) -> bytes:
    """The RIDE of the authorized comprobante, or of the signed one marked pending while in contingency."""
    from adapters.ecuador.authorized_document import comprobante_from_authorization
    from adapters.ecuador.ride_context import ride_context_from_xml
    from adapters.pdf.ride import default_renderer

    comprobante = document if authorization is None else comprobante_from_authorization(document)
    return default_renderer().render(
        ride_context_from_xml(comprobante),
        authorization_number=authorization.number if authorization else None,
        authorized_at=authorization.authorized_at if authorization else None,
        pending_authorization=authorization is None,
    )


def print_colombia(document: bytes, authorization: Authorization | None, kind: DocumentKind) -> bytes:
    """The representación gráfica of the signed invoice or credit note (inside the AttachedDocument once
    DIAN accepted it)."""
    from adapters.colombia import reading
    from adapters.colombia.pdf import render_representacion_grafica

    signed = document if authorization is None else reading.signed_document_of(document)
    return render_representacion_grafica(
        signed, cufe=reading.document_key(signed) or "", qr_text=reading.qr_text(signed),
        validated_at=authorization.authorized_at if authorization else None,
        contingency=reading.is_contingency(signed))


def print_mexico(document: bytes, authorization: Authorization | None, kind: DocumentKind) -> bytes:
    from adapters.mexico.pdf import render_representacion_impresa

    if authorization is None:
        raise ConfigurationError("a CFDI is printed only once a PAC stamped it")
    return render_representacion_impresa(document)


PRINTERS: dict[str, Printer] = {"EC": print_ecuador, "CO": print_colombia, "MX": print_mexico}


def print_document(country: str, document: bytes, authorization: Authorization | None,
                   kind: DocumentKind) -> bytes:
    try:
        printer = PRINTERS[country]
    except KeyError:
        raise ConfigurationError(f"no printed representation for country {country!r}") from None
    return printer(document, authorization, kind)
