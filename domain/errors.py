"""The product's exception tree. Adapters raise these; activities turn them into Temporal errors.

Each class says whether trying again can help, which is the one thing the workflow needs to know.
"""

from domain.invoice import AuthorityMessage
from domain.problems import Problem

# ApplicationError types seen by the workflow (also used in non_retryable_error_types).
INVALID_INVOICE = "InvalidInvoice"
REJECTED = "Rejected"
AUTHORITY_UNAVAILABLE = "AuthorityUnavailable"
AUTHORIZATION_PENDING = "AuthorizationPending"
CONFIGURATION_ERROR = "ConfigurationError"
DOCUMENT_EXPIRED = "DocumentExpired"


class ComprobanteError(Exception):
    retryable = False


class InvalidInvoice(ComprobanteError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the invoice")
        self.problems = problems


class ConfigurationError(ComprobanteError):
    """Missing issuer, unreadable certificate, wrong password: an operator must act."""


class AuthorityRejected(ComprobanteError):
    """The authority refused the document for its content; fix the data and resubmit."""

    def __init__(self, state: str, messages: list[AuthorityMessage]) -> None:
        summary = "; ".join(f"{m.identifier} {m.message}" for m in messages) or "no messages"
        super().__init__(f"{state}: {summary}")
        self.state = state
        self.messages = messages


class AuthorityUnavailable(ComprobanteError):
    """Refused connection, timeout, 5xx, SOAP fault or garbage: the authority may be back soon."""

    retryable = True


class AuthorizationPending(ComprobanteError):
    """Received but not decided yet (EN PROCESO or no result): ask again later."""

    retryable = True


class DeliveryFailed(ComprobanteError):
    """A mail server or webhook endpoint did not take the message; trying again may work."""

    retryable = True


class DocumentExpired(ComprobanteError):
    """The signed document is too old to be accepted (Mexico: 72 hours from Fecha to stamp): sign it again
    with a new date under the same number rather than send it stale."""
