"""CUFE, CUDE, SoftwareSecurityCode and QR (reference §4.1–§4.5), on the Anexo Técnico's worked examples."""

import hashlib
from decimal import Decimal

from domain.colombia.keys import (
    KeyFields,
    amount_text,
    cude,
    cufe,
    key_string,
    qr_content,
    qr_url,
    software_security_code,
)

# Anexo Técnico example (Resolución 004 p. 689; also bit4bit/facho tests/test_fe_form.py).
ANEXO_INVOICE = KeyFields.of(
    number="323200000129", issue_date="2019-01-16", issue_time="10:53:10-05:00",
    line_extension=Decimal("1500000.00"), iva=Decimal("285000.00"), payable=Decimal("1785000.00"),
    issuer_nit="700085371", buyer_id="800199436", environment="1",
)
ANEXO_CUFE = "8bb918b19ba22a694f1da11c643b5e9de39adf60311cf179179e9b33381030bcd4c3c3f156c506ed5908f9276f5bd9b4"

# Anexo 1.9 §11.4.3 credit-note example.
ANEXO_CREDIT_NOTE = KeyFields.of(
    number="8110007871", issue_date="2019-01-12", issue_time="07:00:00-05:00",
    line_extension=Decimal("5000"), iva=Decimal("950"), payable=Decimal("5950"),
    issuer_nit="900373076", buyer_id="8355990", environment="1",
)
ANEXO_CUDE = "907e4444decc9e59c160a2fb3b6659b33dc5b632a5008922b9a62f83f757b1c448e47f5867f2b50dbdb96f48c7681168"


def test_anexo_cufe_example() -> None:
    assert key_string(ANEXO_INVOICE, "693ff6f2a553c3646a063436fd4dd9ded0311471") == (
        "3232000001292019-01-1610:53:10-05:001500000.0001285000.00040.00030.001785000.00"
        "700085371800199436693ff6f2a553c3646a063436fd4dd9ded03114711"
    )
    assert cufe(ANEXO_INVOICE, technical_key="693ff6f2a553c3646a063436fd4dd9ded0311471") == ANEXO_CUFE


def test_anexo_credit_note_cude_example() -> None:
    assert cude(ANEXO_CREDIT_NOTE, software_pin="12301") == ANEXO_CUDE


def test_anexo_debit_note_string_matches_its_published_composition() -> None:
    # §11.4.5 prints this composition; its printed digest is a known transcription error, so only the
    # composition is checked, and the hash is the real SHA-384 of it.
    fields = KeyFields.of(
        number="ND1001", issue_date="2019-01-18", issue_time="10:58:00-05:00", line_extension=Decimal("30000"),
        inc=Decimal("2400"), payable=Decimal("32400"), issuer_nit="900197264", buyer_id="10254102",
        environment="2",
    )
    composition = ("ND10012019-01-1810:58:00-05:0030000.00010.00042400.00030.0032400.00"
                   "9001972641025410210201" "2")
    assert key_string(fields, "10201") == composition
    assert cude(fields, software_pin="10201") == hashlib.sha384(composition.encode()).hexdigest()


def test_amounts_are_truncated_never_rounded() -> None:
    # Rounding is the classic FAD06 (reference §4.1, lopezsoft changelog).
    assert amount_text(Decimal("1500000.999")) == "1500000.99"
    assert amount_text(Decimal("0")) == "0.00"
    assert amount_text(Decimal("12.5")) == "12.50"


def test_software_security_code_is_sha384_of_id_pin_and_number() -> None:
    expected = hashlib.sha384(b"56f2ae4e-9812-4fad-9255-08fcfcd5ccb012345SETP990000001").hexdigest()
    assert software_security_code("56f2ae4e-9812-4fad-9255-08fcfcd5ccb0", "12345", "SETP990000001") == expected
    assert len(expected) == 96


def test_qr_content_and_urls() -> None:
    text = qr_content(ANEXO_INVOICE, document_key=ANEXO_CUFE)
    assert text.splitlines() == [
        "NumFac: 323200000129",
        "FecFac: 2019-01-16",
        "HorFac: 10:53:10-05:00",
        "NitFac: 700085371",
        "DocAdq: 800199436",
        "ValFac: 1500000.00",
        "ValIva: 285000.00",
        "ValOtroIm: 0.00",
        "ValTolFac: 1785000.00",
        f"CUFE: {ANEXO_CUFE}",
        f"QRCode: https://catalogo-vpfe.dian.gov.co/document/searchqr?documentkey={ANEXO_CUFE}",
    ]
    assert qr_url("abc", "2") == "https://catalogo-vpfe-hab.dian.gov.co/document/searchqr?documentkey=abc"
