"""Local stand-in for Ecuador's SRI offline web services (Recepción / Autorización).

Module map (one job each):

* ``cli`` — ``python -m simulators sri``: arguments, listeners, ready line.
* ``app`` / ``admin`` — the SOAP port and the JSON admin port (starlette apps).
* ``server`` — uvicorn listeners that can be closed and reopened (fault mode ``refuse``).
* ``service`` — Recepción and Autorización on top of the checks and the store.
* ``checks_reception`` / ``checks_authorization`` — the SRI's checks, in the ficha's order.
* ``checks_supporting`` — nota de crédito checks against the stored factura (69/64/68).
* ``summary`` — what the store indexes about each decided document for those checks.
* ``documents`` — per-document-type registry (factura, notaCredito) with pluggable checks.
* ``access_key``, ``ruc``, ``arithmetic``, ``signature``, ``schemas``, ``structure`` — pure checks.
* ``soap`` / ``wsdl`` — envelopes and WSDLs; ``messages`` — the SRI's codes and texts.
* ``store`` — SQLite state; ``faults`` — fault-injection settings.
* ``testkit`` — sample documents, throw-away PKI, a XAdES-BES signer and SOAP helpers for
  tests and benchmarks (never used by the simulator itself).
"""
