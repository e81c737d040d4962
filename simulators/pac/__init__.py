"""Local stand-in for a Mexican PAC (proveedor autorizado de certificación): stamping and cancellation.

Module map (one job each):

* ``cli`` — ``python -m simulators pac``: arguments, listeners, ready line.
* ``app`` / ``admin`` — the Finkok-style SOAP port and the JSON admin port (starlette apps).
* ``service`` — stamp, recover (``stamped``), cancel and status on top of the checks and the store.
* ``checks`` — XSD, certificate, sello, 72 hours; ``rules`` (Anexo 20 via domain validation) and
  ``arithmetic`` (the SAT's tolerances) — the CFDI40xxx codes.
* ``timbre`` — the TimbreFiscalDigital 1.1; ``identity`` — the simulator's "SAT" certificate.
* ``cancellation`` — motives, acceptance and the states of a cancellation.
* ``register`` — optional taxpayer register fixture (receiver name, postal code, régimen: 40143–40148).
* ``soap`` — envelopes; ``store`` — SQLite state; ``faults`` — runtime settings; ``trust`` — CSD trust list.

The uvicorn listeners and the JSON log setup are the SRI simulator's (``simulators.sri.server``/``logs``).
"""
