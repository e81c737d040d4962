"""Local stand-in for Colombia's DIAN web services (WcfDianCustomerServices, SOAP 1.2 + WS-Security).

Module map (one job each):

* ``cli`` — ``python -m simulators dian``: the DIAN's own arguments and start-up.
* ``app`` / ``admin`` — the SOAP port and the JSON admin port (plumbing in ``simulators.common``).
* ``service`` — the operations on top of the checks and the store.
* ``wssecurity`` — the caller's WS-Security signature; ``xades_check`` — the document's XAdES-EPES.
* ``xmlsig`` — an XMLDSig engine on lxml + cryptography (independent of the product's xmlsec).
* ``document`` — reads Invoice/CreditNote facts; ``checks`` — DIAN's content rules; ``recompute`` —
  CUFE/CUDE, SoftwareSecurityCode and NIT DV; ``rules`` — codes and texts.
* ``application_response`` — the signed ApplicationResponse; ``certificates`` — trust and NIT checks.
* ``soap`` — envelopes; ``schemas`` — optional XSD check; ``store`` — SQLite; ``faults`` — injection.
"""
