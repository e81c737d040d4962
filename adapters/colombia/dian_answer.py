"""DianResponse, read (reference §6.6, §7; vectors ``colombia/responses``).

Status codes: 00 accepted (possibly with notifications) · 99 rejected, except when the only rejection
is rule 90 "Documento procesado anteriormente", which is the success path of a resend when
XmlDocumentKey is our own CUFE · 98 en proceso · 66 not found / AR not ready (transient) · 89 packaging
or certificate problems (not retryable) · empty with "Batch en proceso de validación." (keep polling).
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from lxml import etree

from domain.errors import AuthorityUnavailable
from domain.invoice import AuthorityMessage

DIAN_RESPONSE_NS = "http://schemas.datacontract.org/2004/07/DianResponse"
ARRAYS_NS = "http://schemas.microsoft.com/2003/10/Serialization/Arrays"
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
ALREADY_PROCESSED = "90"
_RULE = re.compile(r"^\s*Regla:\s*([^,]+?)\s*,\s*(Rechazo|Notificaci[oó]n)\s*:\s*(.*)$", re.DOTALL)


class DianRule(NamedTuple):
    code: str  # e.g. FAD06, 90; empty when the line is not in "Regla: …" form
    text: str


@dataclass(frozen=True)
class DianAnswer:
    is_valid: bool
    status_code: str
    status_description: str
    status_message: str | None = None
    errors: list[DianRule] = field(default_factory=list)  # rejections ("Rechazo") and untagged lines
    notifications: list[DianRule] = field(default_factory=list)
    xml_document_key: str | None = None
    xml_file_name: str | None = None
    application_response: bytes | None = None  # decoded XmlBase64Bytes

    @property
    def accepted(self) -> bool:
        return self.status_code == "00" and self.is_valid

    @property
    def already_processed(self) -> bool:
        """Rule 90 alone: the document (or another with the same number) was accepted before."""
        return self.status_code == "99" and bool(self.errors) and all(
            rule.code == ALREADY_PROCESSED for rule in self.errors)

    def accepted_as(self, document_key: str) -> bool:
        """True if DIAN holds *this* document as accepted: 00, or rule 90 with our own key (reference §7).

        Rule 90 with another key means the number belongs to a different accepted document: a conflict.
        """
        same = (self.xml_document_key or "").lower() == document_key.lower()
        return (self.accepted and (self.xml_document_key is None or same)) or (self.already_processed and same)

    @property
    def pending(self) -> bool:
        """Still processing: ask again later (98, 66, or a batch without status yet)."""
        return self.status_code in ("98", "66") or (self.status_code == "" and not self.errors)

    @property
    def rejected(self) -> bool:
        return self.status_code == "99" and not self.already_processed

    def messages(self) -> list[AuthorityMessage]:
        return [AuthorityMessage(identifier=r.code, message=r.text, kind="ERROR") for r in self.errors] + [
            AuthorityMessage(identifier=r.code, message=r.text, kind="ADVERTENCIA") for r in self.notifications
        ]


def parse_rules(lines: list[str]) -> tuple[list[DianRule], list[DianRule]]:
    errors, notifications = [], []
    for line in lines:
        text = " ".join(line.split())
        match = _RULE.match(text)
        if match is None:
            errors.append(DianRule("", text))
        elif match.group(2) == "Rechazo":
            errors.append(DianRule(match.group(1), match.group(3).strip()))
        else:
            notifications.append(DianRule(match.group(1), match.group(3).strip()))
    return errors, notifications


def _field(parent: etree._Element, name: str) -> str | None:
    element = parent.find(f"{{{DIAN_RESPONSE_NS}}}{name}")
    if element is None or element.get(XSI_NIL) == "true":
        return None
    return "".join((element.text or "").split()) if name in ("XmlBase64Bytes", "XmlDocumentKey") else (
        " ".join((element.text or "").split()))


def read_dian_response(element: etree._Element) -> DianAnswer:
    """One DianResponse (the children of ``SendBillSyncResult`` or of one ``b:DianResponse``)."""
    lines = [s.text or "" for s in element.findall(f"{{{DIAN_RESPONSE_NS}}}ErrorMessage/{{{ARRAYS_NS}}}string")]
    errors, notifications = parse_rules(lines)
    encoded = _field(element, "XmlBase64Bytes")
    application_response = None
    if encoded:
        try:
            application_response = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise AuthorityUnavailable(f"DIAN answered an XmlBase64Bytes that is not base64: {exc}") from exc
    is_valid = (_field(element, "IsValid") or "").lower() == "true"
    return DianAnswer(
        is_valid=is_valid,
        status_code=_field(element, "StatusCode") or "",
        status_description=_field(element, "StatusDescription") or "",
        status_message=_field(element, "StatusMessage"),
        errors=errors,
        notifications=notifications,
        xml_document_key=_field(element, "XmlDocumentKey"),
        xml_file_name=_field(element, "XmlFileName"),
        application_response=application_response,
    )
