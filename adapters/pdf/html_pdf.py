"""Jinja template -> XHTML -> PDF with WeasyPrint, shared by the three printed representations.

The RIDE (Ecuador), the DIAN representación gráfica (Colombia) and the CFDI representación impresa
(Mexico) all go through :class:`HtmlPdfRenderer`. Rendering is benchmarked (the PDF is the single most
expensive step of an invoice), so the renderer does, once per process, everything that does not depend
on the document, and skips two per-document costs that bought nothing here:

- the Jinja template, the parsed stylesheet, the fontconfig/Pango font map (WeasyPrint builds a new one
  per call otherwise) and the URL fetcher are built in ``__init__``;
- the templates are well-formed XHTML, parsed with the C XML parser instead of WeasyPrint's pure-Python
  HTML5 parser (~40 µs per element, ~6 ms of a RIDE). Any XHTML error falls back to the HTML parser;
- WeasyPrint's user-agent stylesheet is replaced by ``templates/base.css`` (see the note there).

WeasyPrint cost is per element and per run of text (measured with WeasyPrint 70: ~0.35 ms per element,
~0.45 ms per line of a differently styled run), so the templates themselves are the main lever: see the
notes at the top of each stylesheet.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from xml.etree import ElementTree

import cssselect2  # type: ignore[import-untyped]
import structlog
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

log = structlog.get_logger(__name__)

BASE_STYLESHEET: Final = Path(__file__).parent / "templates" / "base.css"

# write_pdf options, chosen by measurement on WeasyPrint 70 (1-page / 80-line RIDE):
# - font subsetting is cheap here (HarfBuzz, ~2 ms for both DejaVu faces), so fonts
#   stay subset: full_fonts=True was 1.5-2.5x SLOWER (compressing ~1.4 MB of font data)
#   and made every PDF ~800 KB instead of ~18-28 KB;
# - hinting=False (default) drops TrueType hinting tables: +65 % size when kept,
#   no speed gain, and PDF viewers do not need them;
# - uncompressed_pdf=True saved nothing measurable on 3 pages (time goes to layout
#   and painting, not zlib) and made files 3.5-7x larger, so compression stays on;
# - optimize_images only recompresses raster images, which are already minimal (the QR codes).
PDF_OPTIONS: Final[dict[str, Any]] = {
    "full_fonts": False,
    "hinting": False,
    "uncompressed_pdf": False,
    "optimize_images": False,
}


@dataclass(frozen=True)
class RenderedPdf:
    pdf: bytes
    pages: int


class _Document(HTML):  # type: ignore[misc]
    """WeasyPrint's HTML document without the user-agent stylesheet (``base.css`` replaces it)."""

    def _ua_stylesheets(self, *args: Any, **kwargs: Any) -> list[CSS]:
        return []

    @classmethod
    def from_xhtml(cls, xhtml: str, url_fetcher: URLFetcher) -> _Document:
        """Parse with the C XML parser; raises ``ElementTree.ParseError`` if the markup is not XHTML."""
        root = ElementTree.fromstring(xhtml)
        # The regular constructor on an empty page sets every attribute WeasyPrint expects (base URL,
        # fetcher, media type); only the parsed tree is then swapped for ours.
        document = cls(string="<html></html>", url_fetcher=url_fetcher)
        document.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
        document.etree_element = document.wrapper_element.etree_element
        return document


def data_only_fetcher() -> URLFetcher:
    """Only data: URIs (barcodes, QR codes) may be loaded: document text is escaped anyway, and this
    keeps a template mistake or a crafted value from ever reaching the network or the disk."""
    return URLFetcher(allowed_protocols={"data"})


class HtmlPdfRenderer:
    """One Jinja template plus one stylesheet, rendered to PDF. One instance per process is enough.

    ``templates_dir`` holds the template and its stylesheet; ``base.css`` is prepended to the stylesheet.
    """

    def __init__(self, templates_dir: Path, template: str, stylesheet: str) -> None:
        env = Environment(
            loader=FileSystemLoader(templates_dir),
            autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._template = env.get_template(template)
        self._font_config = FontConfiguration()
        self.url_fetcher = data_only_fetcher()
        # One stylesheet object: WeasyPrint matches every element against each sheet separately.
        css = BASE_STYLESHEET.read_text(encoding="utf-8") + "\n" + (templates_dir / stylesheet).read_text("utf-8")
        self._stylesheet = CSS(string=css, base_url=str(templates_dir) + "/", font_config=self._font_config,
                               url_fetcher=self.url_fetcher)
        # Pango font maps and the fetcher are not thread-safe; rendering is
        # GIL-bound Python anyway, so serializing costs no throughput.
        self._lock = threading.Lock()

    def render_html(self, **context: Any) -> str:
        return self._template.render(**context)

    def render_pdf(self, html: str) -> RenderedPdf:
        with self._lock:
            try:
                document = _Document.from_xhtml(html, self.url_fetcher)
            except (ElementTree.ParseError, AttributeError) as exc:
                # Still a correct PDF, only slower: a template edit broke XHTML well-formedness, or a
                # WeasyPrint release moved the internals the fast path sets (tested on 70.x, pinned).
                log.warning("html_pdf.not_xhtml", template=self._template.name, error=str(exc))
                document = _Document(string=html, url_fetcher=self.url_fetcher)
            rendered = document.render(stylesheets=[self._stylesheet], font_config=self._font_config)
            pdf: bytes = rendered.write_pdf(**PDF_OPTIONS)
        return RenderedPdf(pdf=pdf, pages=len(rendered.pages))
