"""The one list of invoice statuses, shared by workflows, the ledger, search attributes and the UI."""

from enum import StrEnum


class InvoiceStatus(StrEnum):
    RECEIVED = "RECEIVED"
    NEEDS_FIX = "NEEDS_FIX"
    NUMBERED = "NUMBERED"
    SIGNED = "SIGNED"
    SUBMITTED = "SUBMITTED"
    CONTINGENCY = "CONTINGENCY"
    AUTHORIZED = "AUTHORIZED"
    REJECTED = "REJECTED"
    RENDERED = "RENDERED"
    NOTIFIED = "NOTIFIED"
    COMPLETED = "COMPLETED"
    VOIDED = "VOIDED"
    CREDITED = "CREDITED"


# Statuses in which the workflow has finished its work; the rest are in flight or waiting for people.
FINAL_STATUSES = frozenset({InvoiceStatus.COMPLETED, InvoiceStatus.VOIDED, InvoiceStatus.CREDITED})
