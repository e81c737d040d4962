"""XMLDSig pieces both signature verifiers (SRI XAdES-BES, DIAN XAdES-EPES / WS-Security) apply alike.

Only lxml and ``cryptography``: the verifiers must stay independent of python-xmlsec, which the
product signs with, or a bug shared by signer and verifier would pass unnoticed.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from cryptography.hazmat.primitives import hashes
from lxml import etree


def base64_value(text: str | None, what: str, invalid: Callable[[str], Exception]) -> bytes:
    """The octets of a base64Binary element's text (XMLDSig allows whitespace between characters).

    Anything else raises ``invalid("<what> no es base64 válido")``: both authorities word it so.
    """
    try:
        return base64.b64decode("".join((text or "").split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise invalid(f"{what} no es base64 válido") from exc


def digest(algorithm: type[hashes.HashAlgorithm], data: bytes) -> bytes:
    hasher = hashes.Hash(algorithm())
    hasher.update(data)
    return hasher.finalize()


def elements_by_id(
    root: etree._Element, attributes: Sequence[str], duplicate: Callable[[str], Exception]
) -> dict[str, etree._Element]:
    """Every element of ``root`` under each Id value its ``attributes`` give (same-document references).

    Raises ``duplicate(value)`` when two elements share an Id: a wrapped copy could then be
    verified instead of the real content (signature wrapping), so the document is refused outright.
    """
    found: dict[str, etree._Element] = {}
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for attribute in attributes:
            value = element.get(attribute)
            if value is None:
                continue
            if value in found and found[value] is not element:
                raise duplicate(value)
            found[value] = element
    return found


@contextmanager
def detached(signature: etree._Element) -> Iterator[None]:
    """Temporarily take ``signature`` out of its tree (the enveloped-signature transform).

    The transform removes only the Signature element; text that follows it stays in the
    parent, so its tail is handed to the previous node while it is out of the tree.
    """
    parent = signature.getparent()
    if parent is None:
        yield
        return
    index = parent.index(signature)
    tail = signature.tail
    previous = signature.getprevious()
    saved = previous.tail if previous is not None else parent.text
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(signature)
    try:
        yield
    finally:
        parent.insert(index, signature)
        signature.tail = tail
        if previous is not None:
            previous.tail = saved
        else:
            parent.text = saved
