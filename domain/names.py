"""Task queues, activity names and search attributes: the names workflows, workers and clients share.

Workflows call activities by these names (with an explicit result type) instead of importing the
activity classes, so no I/O library is ever imported into the workflow sandbox.
"""

INVOICE_QUEUE = "comprobante-invoices"
# PDF rendering is CPU-heavy; its own queue lets it run in separate processes without starving
# workflow tasks (the 2 s deadlock detector) or the authority calls.
PDF_QUEUE = "comprobante-pdf"
# The authority-health workflows have their own queue and worker: invoices query them while holding
# workflow-task slots, so sharing those slots could leave the queries nothing to run on (a deadlock
# seen with a few hundred invoices released at once).
HEALTH_QUEUE = "comprobante-health"

VALIDATE = "validate_sale"
ALLOCATE_NUMBER = "allocate_number"
BUILD_AND_SIGN = "build_and_sign"
SUBMIT = "submit_to_authority"
POLL_AUTHORIZATION = "poll_authorization"
RENDER_PDF = "render_pdf"
SEND_EMAIL = "send_email"
SEND_WEBHOOK = "send_webhook"
POST_LEDGER = "post_ledger"
RECORD_TRANSITION = "record_transition"
# Fewer round trips (each activity costs a schedule, a dispatch and a completion on the server): validate,
# number and sign in one activity; submit and wait briefly for the decision in another; the audit entries
# of one run of steps in one local activity.
PREPARE = "prepare_document"
TRANSMIT = "transmit_to_authority"
RECORD_TRANSITIONS = "record_transitions"

# Keyword search attributes (at most 10 per namespace on the dev server; never one named "Status").
# No buyer data here: search attributes are not encrypted.
SA_COUNTRY = "InvoiceCountry"
SA_STATUS = "InvoiceStatus"
SA_ISSUER = "IssuerId"
SA_NUMBER = "InvoiceNumber"
SA_ORDER = "OrderId"
SEARCH_ATTRIBUTES = (SA_COUNTRY, SA_STATUS, SA_ISSUER, SA_NUMBER, SA_ORDER)
# When the status last changed (Datetime, which does not count against the 10 keywords): lets operators
# find invoices stuck in one step, e.g. `InvoiceUpdatedAt < "2026-11-21T10:00:00Z"`.
SA_UPDATED_AT = "InvoiceUpdatedAt"
PROBE_AUTHORITY = "probe_authority"
AUTHORITY_STATUS = "authority_status"
REPORT_OUTAGE = "report_outage"
RAISE_ALERT = "raise_alert"
RESERVE_CREDIT = "reserve_credit"
POST_CREDIT = "post_credit"
VOID_INVOICE = "void_invoice"
CANCEL_AT_AUTHORITY = "cancel_at_authority"
CANCELLATION_STATUS = "cancellation_status"

# Workflow types and ids besides the invoice itself.
AUTHORITY_HEALTH_WORKFLOW = "AuthorityHealth"
CREDIT_NOTE_WORKFLOW = "CreditNote"
CANCEL_CFDI_WORKFLOW = "CancelCfdi"


def authority_health_id(country: str) -> str:
    return f"authority-health-{country}"
