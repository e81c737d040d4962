"""RIDE (Representación Impresa del Documento Electrónico) as PDF bytes.

Rendering is benchmarked, so everything that does not depend on the document is
built once per RideRenderer: the Jinja template, the parsed stylesheet, the
fontconfig/Pango font map (WeasyPrint builds a new one per call otherwise) and
the URL fetcher.
"""

from __future__ import annotations

import functools
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Final

import structlog
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from adapters.ecuador.ride_context import RideContext, ride_context_from_xml
from adapters.pdf.barcode_svg import code128_data_uri

log = structlog.get_logger(__name__)

TEMPLATES_DIR: Final = Path(__file__).parent / "templates"

# SRI timestamps are Ecuador time (-05:00, no DST); show them as the SRI portal does.
ECUADOR_TZ: Final = timezone(timedelta(hours=-5))

# write_pdf options, chosen by measurement on WeasyPrint 70 (1-page / 80-line RIDE):
# - font subsetting is cheap here (HarfBuzz, ~2 ms for both DejaVu faces), so fonts
#   stay subset: full_fonts=True was 1.5-2.5x SLOWER (compressing ~1.4 MB of font data)
#   and made every PDF ~800 KB instead of ~18-28 KB;
# - hinting=False (default) drops TrueType hinting tables: +65 % size when kept,
#   no speed gain, and PDF viewers do not need them;
# - uncompressed_pdf=True saved nothing measurable on 3 pages (time goes to layout
#   and painting, not zlib) and made files 3.5-7x larger, so compression stays on;
# - optimize_images only affects raster images; the RIDE has none.
# Layout and painting are the real cost; see the performance notes in ride.css.
PDF_OPTIONS: Final[dict[str, Any]] = {
    "full_fonts": False,
    "hinting": False,
    "uncompressed_pdf": False,
    "optimize_images": False,
}


class RideRenderer:
    """Reusable RIDE renderer. One instance per process is enough."""

    def __init__(self) -> None:
        env = Environment(
            loader=FileSystemLoader(TEMPLATES_DIR),
            autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._template = env.get_template("ride.html.j2")
        self._font_config = FontConfiguration()
        # Only data: URIs (the barcode) may be loaded: document text is escaped
        # anyway, this keeps a template mistake from ever reaching the network or disk.
        self._url_fetcher = URLFetcher(allowed_protocols={"data"})
        self._stylesheet = CSS(
            filename=str(TEMPLATES_DIR / "ride.css"),
            font_config=self._font_config,
            url_fetcher=self._url_fetcher,
        )
        # Pango font maps and the fetcher are not thread-safe; rendering is
        # GIL-bound Python anyway, so serializing costs no throughput.
        self._lock = threading.Lock()

    def render_html(
        self,
        ctx: RideContext,
        *,
        authorization_number: str | None,
        authorized_at: datetime | None,
        pending_authorization: bool = False,
    ) -> str:
        return self._template.render(
            ctx=ctx,
            pending=pending_authorization,
            # The clave de acceso *is* the authorization number (ficha técnica §9.19);
            # while pending it is the number the document will be authorized under.
            authorization_number=authorization_number or ctx.document.clave_acceso,
            authorized_at=None if pending_authorization else _format_timestamp(authorized_at),
            barcode_uri=code128_data_uri(ctx.document.clave_acceso),
            show_aux_code=any(line.codigo_auxiliar for line in ctx.lines),
            show_line_details=any(line.detalles_adicionales for line in ctx.lines),
        )

    def render(
        self,
        ctx: RideContext,
        *,
        authorization_number: str | None,
        authorized_at: datetime | None,
        pending_authorization: bool = False,
    ) -> bytes:
        started = time.perf_counter()
        html = self.render_html(
            ctx,
            authorization_number=authorization_number,
            authorized_at=authorized_at,
            pending_authorization=pending_authorization,
        )
        with self._lock:
            document = HTML(string=html, url_fetcher=self._url_fetcher).render(
                stylesheets=[self._stylesheet], font_config=self._font_config
            )
            pdf: bytes = document.write_pdf(**PDF_OPTIONS)
        log.debug(
            "ride.rendered",
            clave_acceso=ctx.document.clave_acceso,
            pages=len(document.pages),
            size=len(pdf),
            pending=pending_authorization,
            ms=round((time.perf_counter() - started) * 1000, 1),
        )
        return pdf


@functools.cache
def default_renderer() -> RideRenderer:
    """Process-wide renderer, created on first use (FontConfiguration is costly)."""
    return RideRenderer()


def render_ride(
    authorized_xml: bytes,
    *,
    authorization_number: str | None,
    authorized_at: datetime | None,
    pending_authorization: bool = False,
) -> bytes:
    return default_renderer().render(
        ride_context_from_xml(authorized_xml),
        authorization_number=authorization_number,
        authorized_at=authorized_at,
        pending_authorization=pending_authorization,
    )


def _format_timestamp(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(ECUADOR_TZ)
    return value.strftime("%d/%m/%Y %H:%M:%S")
