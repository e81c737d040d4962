"""Local stand-in for Ecuador's SRI offline web services (Recepción / Autorización).

Module map (one job each):

* ``cli`` — ``python -m simulators sri``: the SRI's own arguments and start-up checks.
* ``app`` / ``admin`` — the SOAP port and the JSON admin port (starlette apps).
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

Listeners, logs, the ready line, the admin endpoints every simulator has, SOAP 1.1 framing and
the SQLite connection are shared with the other simulators (``simulators.common``).
"""
