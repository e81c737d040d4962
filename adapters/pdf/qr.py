"""QR codes for the printed representations, as PNG data URIs with one pixel per module.

A QR code is a grid of square modules, so a bitmap with one pixel per module IS the exact symbol: the
stylesheet scales it up with ``image-rendering: pixelated``, which WeasyPrint writes as
``/Interpolate false``, and PDF viewers and printers then paint every module as a sharp square at any
zoom, as a vector would. Measured with WeasyPrint 70 on the DIAN QR (version 16, 81x81 modules): the
vector form (segno's SVG, one stroked path of ~3,000 commands parsed and drawn by WeasyPrint's SVG
renderer) cost ~45 ms per PDF; this PNG costs ~3 ms, and a few hundred bytes of PDF.
"""

from __future__ import annotations

from typing import Final

import segno

# Error correction M, as the SAT's specimen QR codes use; a quiet zone of 2 modules is enough on paper
# since the image sits in white space (ISO 18004 asks for 4 when the surroundings are unknown).
ERROR_CORRECTION: Final = "m"
QUIET_ZONE: Final = 2


def qr_png_data_uri(text: str, *, dark: str = "#000") -> str:
    qr = segno.make(text, error=ERROR_CORRECTION, micro=False)
    return str(qr.png_data_uri(scale=1, border=QUIET_ZONE, dark=dark))
