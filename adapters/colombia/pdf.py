"""Representación gráfica of DIAN invoices and credit notes as PDF (reference §4.5).

Same approach as the RIDE (:mod:`adapters.pdf.ride`): one Jinja template and one stylesheet parsed
once per renderer, DejaVu Sans by family name, data: URIs only (the QR), a lock around WeasyPrint.
The content comes from the signed XML (:mod:`adapters.colombia.pdf_context`); the QR carries the
Anexo's text with the DIAN search URL, drawn at 30 mm (the minimum is 2 cm).
"""

from __future__ import annotations

import functools
import threading
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import segno
import structlog
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from adapters.colombia.pdf_context import document_view
from adapters.colombia.ubl_parts import local_time

_log = structlog.get_logger(__name__)

TEMPLATES_DIR: Final = Path(__file__).parent / "templates"
PDF_OPTIONS: Final[dict[str, Any]] = {"full_fonts": False, "hinting": False, "uncompressed_pdf": False,
                                      "optimize_images": False}


class RepresentacionGraficaRenderer:
    def __init__(self) -> None:
        env = Environment(
            loader=FileSystemLoader(TEMPLATES_DIR),
            autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
            undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        )
        self._template = env.get_template("representacion_grafica.html.j2")
        self._font_config = FontConfiguration()
        self._url_fetcher = URLFetcher(allowed_protocols={"data"})
        self._stylesheet = CSS(filename=str(TEMPLATES_DIR / "representacion_grafica.css"),
                               font_config=self._font_config, url_fetcher=self._url_fetcher)
        self._lock = threading.Lock()

    def render_html(self, signed_xml: bytes, *, cufe: str, qr_text: str, validated_at: datetime | None,
                    contingency: bool) -> str:
        view = document_view(signed_xml)
        qr = segno.make(qr_text, error="m", micro=False)
        return self._template.render(
            doc=view, cufe=cufe, contingency=contingency,
            key_label="CUDE" if "CRÉDITO" in view.title else "CUFE",
            qr_uri=qr.svg_data_uri(scale=4, border=2, dark="#0f2433"),
            validated_at=local_time(validated_at).strftime("%Y-%m-%d %H:%M:%S") if validated_at else None,
        )

    def render(self, signed_xml: bytes, *, cufe: str, qr_text: str, validated_at: datetime | None,
               contingency: bool) -> bytes:
        html = self.render_html(signed_xml, cufe=cufe, qr_text=qr_text, validated_at=validated_at,
                                contingency=contingency)
        with self._lock:
            document = HTML(string=html, url_fetcher=self._url_fetcher).render(
                stylesheets=[self._stylesheet], font_config=self._font_config)
            pdf: bytes = document.write_pdf(**PDF_OPTIONS)
        _log.debug("representacion_grafica.rendered", cufe=cufe, pages=len(document.pages), size=len(pdf))
        return pdf


@functools.cache
def default_renderer() -> RepresentacionGraficaRenderer:
    return RepresentacionGraficaRenderer()


def render_representacion_grafica(
    signed_xml: bytes, *, cufe: str, qr_text: str, validated_at: datetime | None, contingency: bool
) -> bytes:
    return default_renderer().render(signed_xml, cufe=cufe, qr_text=qr_text, validated_at=validated_at,
                                     contingency=contingency)
