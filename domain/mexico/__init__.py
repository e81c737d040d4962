"""Mexico (SAT CFDI 4.0): the sale a backend sends, its validation and its arithmetic.

Pure code: the only outside data read here are the SAT catalogs shipped inside the ``satcfdi``
package (a local SQLite file), so the self-invoicing portal can validate as a buyer types.

Module map: ``sale`` (request model), ``validation`` + ``validation_lines`` (CFDI40xxx rules),
``totals`` (the SAT's rounding), ``catalog`` (catalog lookups and our compatibility tables),
``rfc`` (tax ids), ``timezones`` (Fecha's local time per postal code).
"""
