"""Code 128 barcode of the clave de acceso as an SVG data URI for the RIDE.

The SRI recommends Code 128 for the clave (reference §17.1). We draw bars only:
the template prints the digits itself, in the document font, so they stay
selectable/searchable text in the PDF.
"""

from __future__ import annotations

import base64
from typing import Final

from barcode import Code128
from barcode.writer import SVGWriter

# 49 digits encode to ~320 modules (Code 128 set C packs two digits per symbol);
# 0.25 mm each gives ~80 mm, which fits the right header box of an A4 RIDE.
# python-barcode emits no viewBox, so CSS cannot rescale it: the size is set here.
MODULE_WIDTH_MM: Final = 0.25
BAR_HEIGHT_MM: Final = 11.0

_WRITER_OPTIONS: Final = {
    "write_text": False,
    "module_width": MODULE_WIDTH_MM,
    "module_height": BAR_HEIGHT_MM,
    "quiet_zone": 0,
    "margin_top": 0,
    "margin_bottom": 0,
    # No white background rect and no pretty-printing: fewer bytes to parse per render.
    "background": None,
    "compress": True,
    "with_doctype": False,
}


def code128_svg(data: str) -> bytes:
    writer = SVGWriter()
    svg: bytes = Code128(data, writer=writer).render(dict(_WRITER_OPTIONS))
    return svg


def code128_data_uri(data: str) -> str:
    encoded = base64.b64encode(code128_svg(data)).decode("ascii")
    return f"data:image/svg+xml;base64,{encoded}"
