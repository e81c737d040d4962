"""An optional fixture of the SAT's taxpayer register (l_RFC) for the receiver checks only a PAC can do.

The SAT checks that the receiver's RFC exists and that its name, fiscal postal code and régimen match
what is registered (CFDI40143–40148, reference §2.6, §14 "Receptor register fixture"); the most common
rejections of self-invoicing portals. Given ``--taxpayers FILE`` (JSON
``{"RFC": {"name": "...", "postal_code": "...", "regimes": ["601"]}}``) the simulator applies them to
every non-generic receiver, and to the issuer's name (CFDI40139) when the issuer is listed.
The SAT has no code of its own for a régimen that differs from the register; CFDI40158 is used.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from domain.mexico.rfc import GENERIC_RFCS
from simulators.pac.rules import CFDI, Finding


@dataclass(frozen=True)
class Taxpayer:
    name: str
    postal_code: str
    regimes: frozenset[str]


class TaxpayerRegister:
    def __init__(self, taxpayers: dict[str, Taxpayer]) -> None:
        self.taxpayers = taxpayers

    @classmethod
    def from_file(cls, path: Path) -> TaxpayerRegister:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return cls({
            rfc: Taxpayer(name=entry["name"], postal_code=entry["postal_code"],
                          regimes=frozenset(entry.get("regimes", [])))
            for rfc, entry in raw.items()
        })

    def findings(self, root: etree._Element) -> list[Finding]:
        findings = []
        emisor = root.find(f"{CFDI}Emisor")
        issuer = self.taxpayers.get(emisor.get("Rfc", "")) if emisor is not None else None
        if emisor is not None and issuer is not None and emisor.get("Nombre") != issuer.name:
            findings.append(Finding("CFDI40139", "El campo Nombre del emisor debe pertenecer al nombre asociado al "
                                    "RFC registrado en el campo Rfc del Emisor"))
        receptor = root.find(f"{CFDI}Receptor")
        rfc = receptor.get("Rfc", "") if receptor is not None else ""
        if receptor is None or rfc in GENERIC_RFCS:
            return findings
        registered = self.taxpayers.get(rfc)
        if registered is None:
            return [*findings, Finding("CFDI40143", "El RFC del receptor no se encuentra en la lista de RFC "
                                       "inscritos no cancelados en el SAT")]
        if receptor.get("Nombre") != registered.name:
            findings.append(Finding("CFDI40145", "El campo Nombre del receptor debe pertenecer al nombre asociado "
                                    "al RFC registrado en el campo Rfc del Receptor"))
        if receptor.get("DomicilioFiscalReceptor") != registered.postal_code:
            findings.append(Finding("CFDI40148", "El campo DomicilioFiscalReceptor debe pertenecer al código postal "
                                    "asociado al RFC del receptor"))
        if registered.regimes and receptor.get("RegimenFiscalReceptor") not in registered.regimes:
            findings.append(Finding("CFDI40158", "El régimen fiscal del receptor no corresponde al registrado para "
                                    "su RFC"))
        return findings
