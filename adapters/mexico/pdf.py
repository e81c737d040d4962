"""Representación impresa of a stamped CFDI 4.0 as PDF bytes (reference §8.2).

Same approach as the Ecuadorian RIDE (:mod:`adapters.pdf.ride`): everything that does not depend on the
document — Jinja template, parsed stylesheet, font configuration, URL fetcher — is built once per
renderer. The verification QR (segno, an SVG data URI) encodes the SAT's verification URL with id, re,
rr, tt and the last 8 characters of the sello.
"""

from __future__ import annotations

import functools
import threading
import time
from pathlib import Path
from typing import Final

import segno
import structlog
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from adapters.mexico.pdf_context import CfdiContext, context_from_xml
from adapters.pdf.ride import PDF_OPTIONS

log = structlog.get_logger(__name__)

TEMPLATES_DIR: Final = Path(__file__).parent / "templates"


def qr_data_uri(url: str) -> str:
    # Error correction M, as the SAT's specimen QR codes use; a quiet zone of 2 modules is enough on paper.
    return str(segno.make(url, error="m", micro=False).svg_data_uri(scale=4, border=2))


class CfdiRenderer:
    """Reusable renderer; one instance per process is enough."""

    def __init__(self) -> None:
        env = Environment(
            loader=FileSystemLoader(TEMPLATES_DIR),
            autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._template = env.get_template("cfdi.html.j2")
        self._font_config = FontConfiguration()
        # Only data: URIs (the QR) may be loaded: nothing in a document can reach the network or disk.
        self._url_fetcher = URLFetcher(allowed_protocols={"data"})
        self._stylesheet = CSS(filename=str(TEMPLATES_DIR / "cfdi.css"), font_config=self._font_config,
                               url_fetcher=self._url_fetcher)
        self._lock = threading.Lock()  # Pango font maps and the fetcher are not thread-safe

    def render_html(self, ctx: CfdiContext) -> str:
        return self._template.render(ctx=ctx, qr_uri=qr_data_uri(ctx.verification_url))

    def render(self, ctx: CfdiContext) -> bytes:
        started = time.perf_counter()
        html = self.render_html(ctx)
        with self._lock:
            document = HTML(string=html, url_fetcher=self._url_fetcher).render(
                stylesheets=[self._stylesheet], font_config=self._font_config
            )
            pdf: bytes = document.write_pdf(**PDF_OPTIONS)
        log.debug("cfdi_pdf.rendered", uuid=ctx.uuid, pages=len(document.pages), size=len(pdf),
                  ms=round((time.perf_counter() - started) * 1000, 1))
        return pdf


@functools.cache
def default_renderer() -> CfdiRenderer:
    """Process-wide renderer, created on first use (FontConfiguration is costly)."""
    return CfdiRenderer()


def render_representacion_impresa(stamped_xml: bytes) -> bytes:
    """The PDF of a stamped CFDI, from the stamped XML alone."""
    return default_renderer().render(context_from_xml(stamped_xml))
