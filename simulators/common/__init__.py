"""Plumbing the authority simulators (``sri``, ``dian``, ``pac``) share; their rules stay in their packages.

Module map (one job each):

* ``cli`` — shared command-line options, the ``simulator.ready`` line, ``main``'s runner.
* ``lifecycle`` — start both listeners, serve until SIGINT/SIGTERM, stop, close the state.
* ``server`` — uvicorn listeners that can be closed and reopened (fault mode ``refuse``).
* ``logs`` — structlog JSON lines on stderr.
* ``faults`` — the fault-injection settings base and its validated updates.
* ``admin`` — the admin API's health, faults and reset endpoints and JSON body reading.
* ``http`` — SOAP-port answers outside the authority's protocol: latency, injected faults, 405.
* ``soap`` — hardened XML parser, request errors, SOAP 1.1 envelopes and faults.
* ``store`` — the SQLite connection behind each simulator's state.
* ``xmldsig`` — XMLDSig pieces the independent signature verifiers share.
"""
