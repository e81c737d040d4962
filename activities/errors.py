"""Turns the product's exceptions into Temporal ApplicationErrors the workflow can act on."""

from temporalio.exceptions import ApplicationError, ApplicationErrorCategory

from domain import errors


def to_application_error(exc: errors.ComprobanteError) -> ApplicationError:
    if isinstance(exc, errors.InvalidInvoice):
        return ApplicationError(str(exc), [p.model_dump() for p in exc.problems],
                                type=errors.INVALID_INVOICE, non_retryable=True)
    if isinstance(exc, errors.AuthorityRejected):
        return ApplicationError(str(exc), [m.model_dump() for m in exc.messages],
                                type=errors.REJECTED, non_retryable=True)
    if isinstance(exc, errors.AuthorizationPending):
        # BENIGN: "not decided yet" is the normal case, not a failure to alert on.
        return ApplicationError(str(exc), type=errors.AUTHORIZATION_PENDING,
                                category=ApplicationErrorCategory.BENIGN)
    if isinstance(exc, errors.AuthorityUnavailable):
        return ApplicationError(str(exc), type=errors.AUTHORITY_UNAVAILABLE)
    if isinstance(exc, errors.ConfigurationError):
        return ApplicationError(str(exc), type=errors.CONFIGURATION_ERROR, non_retryable=True)
    return ApplicationError(str(exc), type=type(exc).__name__, non_retryable=not exc.retryable)
