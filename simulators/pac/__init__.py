"""Local stand-in for a Mexican PAC (proveedor autorizado de certificación): stamping and cancellation.

Module map (one job each):

* ``cli`` — ``python -m simulators pac``: the PAC's own arguments and start-up.
* ``app`` / ``admin`` — the Finkok-style SOAP port and the JSON admin port (starlette apps).
* ``service`` — stamp, recover (``stamped``), cancel and status on top of the checks and the store.
* ``checks`` — XSD, certificate, sello, 72 hours; ``rules`` (Anexo 20 via domain validation) and
  ``arithmetic`` (the SAT's tolerances) — the CFDI40xxx codes.
* ``timbre`` — the TimbreFiscalDigital 1.1; ``identity`` — the simulator's "SAT" certificate.
* ``cancellation`` — motives, acceptance and the states of a cancellation.
* ``register`` — optional taxpayer register fixture (receiver name, postal code, régimen: 40143–40148).
* ``soap`` — envelopes; ``store`` — SQLite state; ``faults`` — runtime settings; ``trust`` — CSD trust list.

Listeners, logs, the ready line, the admin endpoints every simulator has, SOAP 1.1 framing and the
SQLite connection are shared with the other simulators (``simulators.common``).
"""
