"""Turns the product's exceptions into Temporal ApplicationErrors the workflow can act on."""

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from temporalio.exceptions import ApplicationError, ApplicationErrorCategory

from domain import errors

P = ParamSpec("P")
R = TypeVar("R")


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


def translate_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Sync activities: product exceptions leave as ApplicationErrors that say whether to retry."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except errors.ComprobanteError as exc:
            raise to_application_error(exc) from exc

    return wrapper
