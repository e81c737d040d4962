"""XSD validation with the SRI's official schemas, and Xerces-style error texts.

The SRI validates with Xerces and puts its ``cvc-*`` message in ``informacionAdicional``
(reference §2, §12.4 example). lxml reports libxml2 messages instead, so the common cases
are rewritten into the Xerces wording clients have learned to parse; anything else is
passed through unchanged.

lxml ``XMLSchema`` objects keep per-validation state, so each worker thread gets its own
compiled copy (compiled once per thread, then reused: the benchmark path never recompiles).
Compiling is not thread-safe in libxml2 (concurrent compiles fail with "xmlSchemaPValAttr,
the given type '(null)' is not a built-in type"), so compiles are serialized by a lock and
``warm_up`` compiles once on the main thread at start-up.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

from lxml import etree

_DS = "http://www.w3.org/2000/09/xmldsig#"

_COMPILE_LOCK = threading.Lock()

# Files that must exist when a schema directory is configured (the versions the product emits).
REQUIRED_FILES = ("factura_V1.1.0.xsd", "NotaCredito_V1.1.0.xsd")


class SchemaSet:
    """The official XSDs under ``<schemas>/ecuador/xsd`` (or none: structural fallback)."""

    def __init__(self, schemas_root: Path | None) -> None:
        self.directory = schemas_root / "ecuador" / "xsd" if schemas_root else None
        self._local = threading.local()

    def check_configuration(self) -> list[str]:
        """Missing required files (empty when fine or when no directory is configured)."""
        if self.directory is None:
            return []
        return [str(self.directory / name) for name in REQUIRED_FILES if not (self.directory / name).is_file()]

    def available(self, filename: str) -> bool:
        return self.directory is not None and (self.directory / filename).is_file()

    def schema(self, filename: str) -> etree.XMLSchema:
        cache: dict[str, etree.XMLSchema] | None = getattr(self._local, "cache", None)
        if cache is None:
            cache = {}
            self._local.cache = cache
        compiled = cache.get(filename)
        if compiled is None:
            assert self.directory is not None
            # The official XSDs import xmldsig-core-schema.xsd from the same directory
            # (reference §2.1); never let the parser reach the network.
            parser = etree.XMLParser(no_network=True)
            with _COMPILE_LOCK:
                compiled = etree.XMLSchema(etree.parse(str(self.directory / filename), parser))
            cache[filename] = compiled
        return compiled

    def warm_up(self) -> None:
        """Compile the required schemas now (fail fast on broken files, init libxml2 types)."""
        for filename in REQUIRED_FILES:
            if self.available(filename):
                self.schema(filename)

    def validate(self, filename: str, document: etree._ElementTree) -> str | None:
        """None when valid, else the first error in Xerces wording."""
        schema = self.schema(filename)
        if schema.validate(document):
            return None
        # lxml-stubs do not declare the error log iterable; it is (a list of _LogEntry).
        entries = cast(Iterable[Any], schema.error_log)
        errors = [(str(entry.message), int(entry.line)) for entry in entries]
        return xerces_message(errors)


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _expected_list(raw: str) -> str:
    names = [part.strip() for part in raw.split(",") if part.strip()]
    shown = [f'"{_DS}":Signature' if name == f"{{{_DS}}}Signature" else _local(name) for name in names]
    return ", ".join(shown)


_EL = r"Element '(?P<el>[^']+)': "
_EXPECTED = r"Expected is (?:one of )?\( (?P<exp>.*) \)\."
_COMPLEX_A = "cvc-complex-type.2.4.a: Invalid content was found starting with element '{el}'. "

# libxml2 message -> Xerces template (the SRI's validator, reference §12.4 example).
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(_EL + r"This element is not expected\. " + _EXPECTED),
        _COMPLEX_A + "One of '{{{exp}}}' is expected.",
    ),
    (
        re.compile(_EL + r"This element is not expected\."),
        "cvc-complex-type.2.4.d: Invalid content was found starting with element '{el}'. "
        "No child element is expected at this point.",
    ),
    (
        re.compile(_EL + r"Missing child element\(s\)\. " + _EXPECTED),
        "cvc-complex-type.2.4.b: The content of element '{el}' is not complete. One of '{{{exp}}}' is expected.",
    ),
    (
        re.compile(_EL + r"\[facet 'pattern'\] The value '(?P<v>.*)' is not accepted by the pattern '(?P<p>.*)'\."),
        "cvc-pattern-valid: Value '{v}' is not facet-valid with respect to pattern '{p}' for type '{type}'.",
    ),
    (
        re.compile(
            _EL + r"\[facet 'fractionDigits'\] The value '(?P<v>.*)' has more fractional "
            r"digits than are allowed \('(?P<n>\d+)'\)\."
        ),
        "cvc-fractionDigits-valid: Value '{v}' has {digits} fraction digits, but the number of "
        "fraction digits has been limited to {n}.",
    ),
    (
        re.compile(
            _EL + r"\[facet 'totalDigits'\] The value '(?P<v>.*)' has more digits than are "
            r"allowed \('(?P<n>\d+)'\)\."
        ),
        "cvc-totalDigits-valid: Value '{v}' has more total digits than allowed; the number of "
        "total digits has been limited to {n}.",
    ),
    (
        re.compile(
            _EL + r"\[facet 'minLength'\] The value '?(?P<v>.*?)'? ?has a length of '(?P<len>\d+)'; "
            r"this underruns the allowed minimum length of '(?P<n>\d+)'\."
        ),
        "cvc-minLength-valid: Value '{v}' with length = '{len}' is not facet-valid with respect to "
        "minLength '{n}' for type '{type}'.",
    ),
    (
        re.compile(
            _EL + r"\[facet 'maxLength'\] The value '(?P<v>.*)' has a length of '(?P<len>\d+)'; "
            r"this exceeds the allowed maximum length of '(?P<n>\d+)'\."
        ),
        "cvc-maxLength-valid: Value '{v}' with length = '{len}' is not facet-valid with respect to "
        "maxLength '{n}' for type '{type}'.",
    ),
    (
        re.compile(_EL + r"'(?P<v>.*)' is not a valid value of the atomic type '(?P<type>[^']+)'\."),
        "cvc-datatype-valid.1.2.1: '{v}' is not a valid value for '{type}'.",
    ),
]

_ATOMIC_TYPE = re.compile(r"is not a valid value of the (?:atomic|local atomic) type '(?P<type>[^']+)'")


def xerces_message(errors: list[tuple[str, int]]) -> str:
    """Rewrite the first libxml2 error as Xerces would have reported it."""
    if not errors:
        return "El documento no es válido según el esquema XSD"
    message, line = errors[0]
    # libxml2 names the simple type in a follow-up error; Xerces puts it in the first one.
    type_name = "?"
    if len(errors) > 1:
        found = _ATOMIC_TYPE.search(errors[1][0])
        if found:
            type_name = _local(found.group("type"))
    for regex, template in _PATTERNS:
        match = regex.fullmatch(message.strip())
        if not match:
            continue
        groups = match.groupdict()
        values = {
            "el": _local(groups.get("el") or ""),
            "exp": _expected_list(groups.get("exp") or ""),
            "v": groups.get("v") or "",
            "p": groups.get("p") or "",
            "n": groups.get("n") or "",
            "len": groups.get("len") or "",
            "type": _local(groups.get("type") or type_name),
            "digits": _fraction_digits(groups.get("v") or ""),
        }
        return template.format(**values)
    return f"{message.strip()} (línea {line})"


def _fraction_digits(value: str) -> str:
    if "." not in value:
        return "0"
    return str(len(value.split(".", 1)[1].rstrip("0")))
