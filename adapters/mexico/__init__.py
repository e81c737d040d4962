"""Mexico (CFDI 4.0 through a PAC): everything that touches files, keys, XML and the network.

Module map (one job each):

* ``issuer`` — the issuer's configuration (legal data, CSD files, PAC accounts).
* ``csd`` — loading and checking the CSD (.cer + encrypted .key); ``test_csd`` — throw-away SAT-shaped CSDs.
* ``cfdi_xml`` — building the CFDI 4.0 XML; ``sealing`` — NoCertificado, cadena, Sello, Certificado.
* ``cadena`` — cadenas originales with the SAT's XSLT; ``schemas`` — XSD validation;
  ``sat_resources`` — where those SAT files are read from (satcfdi's copies or an official folder).
* ``timbre`` — reading and verifying the TimbreFiscalDigital, the QR verification URL.
* ``pac`` — the PAC port and its answers; ``pac_client`` — the Finkok-style SOAP client.
* ``pdf`` + ``pdf_context`` + ``amount_words`` + ``templates/`` — the representación impresa.
"""
