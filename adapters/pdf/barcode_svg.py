"""Code 128 barcode of the clave de acceso as an SVG data URI for the RIDE.

The SRI recommends Code 128 for the clave (reference §17.1). We draw bars only:
the template prints the digits itself, in the document font, so they stay
selectable/searchable text in the PDF.
"""

from __future__ import annotations

import base64
from typing import Any, Final

from barcode import Code128
from barcode.writer import SVGWriter

# 49 digits encode to ~320 modules (Code 128 set C packs two digits per symbol).
# Units are modules horizontally and tenths of a module height vertically; the
# viewBox lets CSS size the image, so the template alone decides its physical size.
BAR_HEIGHT: Final = 40


class _SinglePathSVGWriter(SVGWriter):  # type: ignore[misc]
    """python-barcode's SVG writer, but all bars in ONE <path>.

    The stock writer emits one <rect> per bar (~90 for a clave); WeasyPrint
    parses and draws each as a separate node, which measured ~35 ms per RIDE.
    One path with a viewBox draws in well under a millisecond.
    """

    def __init__(self) -> None:
        super().__init__()
        self._bars: list[str] = []
        self._modules = 0

    def _init(self, code: list[str]) -> None:
        self._bars = []
        self._modules = len(code[0])

    def _create_module(self, xpos: float, ypos: float, width: float, color: str) -> None:
        if color != self.background:
            self._bars.append(f"M{xpos:g} 0h{width:g}v{BAR_HEIGHT}h-{width:g}z")

    def _finish(self) -> bytes:
        return (
            '<svg xmlns="http://www.w3.org/2000/svg" '
            f'viewBox="0 0 {self._modules} {BAR_HEIGHT}" preserveAspectRatio="none">'
            f'<path fill="#000" d="{"".join(self._bars)}"/></svg>'
        ).encode("ascii")


# Module width 1 and no quiet zone/margins: positions come out in whole modules.
_WRITER_OPTIONS: Final[dict[str, Any]] = {
    "write_text": False,
    "module_width": 1,
    "module_height": BAR_HEIGHT,
    "quiet_zone": 0,
    "margin_top": 0,
    "margin_bottom": 0,
    "background": "white",
}


def code128_svg(data: str) -> bytes:
    svg: bytes = Code128(data, writer=_SinglePathSVGWriter()).render(dict(_WRITER_OPTIONS))
    return svg


def code128_data_uri(data: str) -> str:
    encoded = base64.b64encode(code128_svg(data)).decode("ascii")
    return f"data:image/svg+xml;base64,{encoded}"
