"""Colombia (DIAN, UBL 2.1, Anexo Técnico 1.9): the sale model, check digits, arithmetic, keys and rules.

Pure code: nothing here touches the network, the disk or a clock. The XML, the signature and the web
services live in :mod:`adapters.colombia`.
"""
