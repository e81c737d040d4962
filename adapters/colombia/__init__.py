"""Colombia (DIAN) adapters: UBL 2.1 builders, XAdES-EPES signing, packaging, the web-service client
and the representación gráfica. Business rules and hashes live in :mod:`domain.colombia`.
"""
