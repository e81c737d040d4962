"""Text normalization for document fields.

Tax XML forbids newlines and leading, trailing or doubled spaces in text fields (SRI Anexo 1: pattern
``[^\\n]*``). A sale typed by a person often has them, so text is normalized on the way in rather
than rejected: collapsing white space never changes what a field means.
"""

import re
from typing import Annotated

from pydantic import BeforeValidator

_SPACES = re.compile(r"\s+")


def collapse_spaces(value: object) -> object:
    if isinstance(value, str):
        return _SPACES.sub(" ", value).strip()
    return value


CleanText = Annotated[str, BeforeValidator(collapse_spaces)]
