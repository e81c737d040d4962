"""XML namespaces of DIAN UBL 2.1 documents (reference §2.1)."""

from typing import Final, cast

INVOICE: Final = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE: Final = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
APPLICATION_RESPONSE: Final = "urn:oasis:names:specification:ubl:schema:xsd:ApplicationResponse-2"
ATTACHED_DOCUMENT: Final = "urn:oasis:names:specification:ubl:schema:xsd:AttachedDocument-2"
CAC: Final = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC: Final = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
EXT: Final = "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"
# DIAN_UBL_Structures.xsd's targetNamespace; the obsolete v1 URI must not be used (reference §2.1).
STS: Final = "dian:gov:co:facturaelectronica:Structures-2-1"
DS: Final = "http://www.w3.org/2000/09/xmldsig#"
XADES: Final = "http://uri.etsi.org/01903/v1.3.2#"
XADES141: Final = "http://uri.etsi.org/01903/v1.4.1#"
XSI: Final = "http://www.w3.org/2001/XMLSchema-instance"

SCHEMA_LOCATIONS: Final = {
    INVOICE: "http://docs.oasis-open.org/ubl/os-UBL-2.1/xsd/maindoc/UBL-Invoice-2.1.xsd",
    CREDIT_NOTE: "http://docs.oasis-open.org/ubl/os-UBL-2.1/xsd/maindoc/UBL-CreditNote-2.1.xsd",
    ATTACHED_DOCUMENT: "http://docs.oasis-open.org/ubl/os-UBL-2.1/xsd/maindoc/UBL-AttachedDocument-2.1.xsd",
}


def root_nsmap(default: str) -> dict[str, str]:
    """Every prefix declared on the root: ``sts`` must be (else "Namespace prefix 'sts' is not defined",
    reference §2.1), and declaring ``ds``/``xades`` there keeps the signature's in-context C14N simple."""
    nsmap: dict[str | None, str] = {
        None: default,
        "cac": CAC,
        "cbc": CBC,
        "ext": EXT,
        "sts": STS,
        "ds": DS,
        "xades": XADES,
        "xades141": XADES141,
        "xsi": XSI,
    }
    # lxml accepts None as the default-namespace key; lxml-stubs does not know it.
    return cast(dict[str, str], nsmap)


def cac(tag: str) -> str:
    return f"{{{CAC}}}{tag}"


def cbc(tag: str) -> str:
    return f"{{{CBC}}}{tag}"


def ext(tag: str) -> str:
    return f"{{{EXT}}}{tag}"


def sts(tag: str) -> str:
    return f"{{{STS}}}{tag}"
