"""Shared PDF plumbing: the HTML -> PDF renderer, the Code 128 path and the QR bitmap."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import cast
from xml.etree import ElementTree

import pytest
import segno
from barcode import Code128
from barcode.charsets import code128
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import BooleanObject, DictionaryObject, NumberObject

from adapters.pdf.barcode_svg import BAR_HEIGHT, code128_data_uri, code128_modules, code128_svg
from adapters.pdf.html_pdf import HtmlPdfRenderer
from adapters.pdf.qr import QUIET_ZONE, qr_png_data_uri

CLAVE = "1501202601179214673900110010010000001231234567813"
SVG_NS = "{http://www.w3.org/2000/svg}"
START_C = "11010011100"  # Code 128 start symbol for code set C (value 105)
STOP = "1100011101011"  # stop symbol including the final 2-module termination bar


def _modules_from_path(svg: bytes) -> str:
    """Replay the path as a plotter would: 'm' moves the pen, 'h' inks a bar of that width."""
    root = ElementTree.fromstring(svg)
    (path,) = root.iter(f"{SVG_NS}path")
    assert path.get("stroke-width") == str(BAR_HEIGHT)
    assert path.get("fill") == "none"
    width = int(root.get("viewBox", "").split()[2])
    d = path.get("d", "")
    assert d.startswith(f"M0 {BAR_HEIGHT // 2}")
    modules = ["0"] * width
    pen = 0
    for command, dx, dy in re.findall(r"([mh])(-?\d+)(?: (-?\d+))?", d[len(f"M0 {BAR_HEIGHT // 2}"):]):
        if command == "m":
            assert dy == "0"
            pen += int(dx)
        else:
            modules[pen:pen + int(dx)] = "1" * int(dx)
            pen += int(dx)
    return "".join(modules)


def _decode_code128(modules: str) -> str:
    """A symbol-level Code 128 decoder: start, 11-module symbols, checksum, stop."""
    assert modules.endswith(STOP)
    body = modules[: -len(STOP)]
    assert len(body) % 11 == 0
    values = [code128.CODES.index(body[i:i + 11]) for i in range(0, len(body), 11)]
    *symbols, checksum = values
    assert checksum == sum(v * max(i, 1) for i, v in enumerate(symbols)) % 103
    start, *data = symbols
    code_set = {103: "A", 104: "B", 105: "C"}[start]
    text = ""
    for value in data:
        if code_set == "C" and value < 100:
            text += f"{value:02d}"
        elif value in (100, 101, 99):  # switch to B, A or C
            code_set = {100: "B", 101: "A", 99: "C"}[value]
        else:
            text += chr(value + 32)  # code sets A/B share the printable ASCII range from value 0 = " "
    return text


def test_barcode_path_draws_exactly_the_code128_modules() -> None:
    svg = code128_svg(CLAVE)
    drawn = _modules_from_path(svg)
    assert drawn == code128_modules(CLAVE) == Code128(CLAVE).build()[0]
    assert drawn.startswith(START_C)
    assert len(drawn) == 321  # 80.25 mm at 0.25 mm per module in ride.css
    assert _decode_code128(drawn) == CLAVE


def test_barcode_is_one_node_with_two_commands_per_bar() -> None:
    svg = code128_svg(CLAVE)
    root = ElementTree.fromstring(svg)
    assert [child.tag for child in root] == [f"{SVG_NS}path"]
    bars = len(re.findall("1+", code128_modules(CLAVE)))
    assert len(re.findall("[mh]", root[0].get("d", ""))) == 2 * bars
    uri = code128_data_uri(CLAVE)
    assert base64.b64decode(uri.removeprefix("data:image/svg+xml;base64,")) == svg


def test_qr_png_is_the_exact_symbol_one_pixel_per_module() -> None:
    text = "https://verificacfdi.facturaelectronica.sat.gob.mx/default.aspx?id=0F0E&re=EKU9003173C9"
    uri = qr_png_data_uri(text, dark="#0f2433")
    image = Image.open(io.BytesIO(base64.b64decode(uri.removeprefix("data:image/png;base64,")))).convert("RGB")
    qr = segno.make(text, error="m", micro=False)
    size = int(qr.symbol_size(border=QUIET_ZONE)[0])
    assert image.size == (size, size)
    expected = [[bool(m) for m in row] for row in qr.matrix]
    for y in range(size):
        for x in range(size):
            inside = QUIET_ZONE <= x < size - QUIET_ZONE and QUIET_ZONE <= y < size - QUIET_ZONE
            dark = inside and expected[y - QUIET_ZONE][x - QUIET_ZONE]
            assert image.getpixel((x, y)) == ((0x0F, 0x24, 0x33) if dark else (255, 255, 255)), (x, y)


MakeRenderer = Callable[..., HtmlPdfRenderer]


@pytest.fixture
def make_renderer(tmp_path: Path) -> MakeRenderer:
    def make(template: str, css: str = "") -> HtmlPdfRenderer:
        (tmp_path / "doc.html.j2").write_text(template, encoding="utf-8")
        (tmp_path / "doc.css").write_text("@page { size: A6; margin: 10mm } html { font-family: 'DejaVu Sans' }" + css,
                                          encoding="utf-8")
        return HtmlPdfRenderer(tmp_path, "doc.html.j2", "doc.css")

    return make


def _resources(pdf: bytes, kind: str) -> list[DictionaryObject]:
    """The /XObject or /Font dictionaries of every page."""
    found = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources = cast(DictionaryObject, page["/Resources"].get_object())
        for ref in cast(DictionaryObject, resources.get(kind, DictionaryObject())).values():
            found.append(cast(DictionaryObject, ref.get_object()))
    return found


def _images(pdf: bytes) -> list[DictionaryObject]:
    return [xobject for xobject in _resources(pdf, "/XObject") if str(xobject["/Subtype"]) == "/Image"]


def test_renderer_loads_data_uris_and_refuses_everything_else(make_renderer: MakeRenderer, tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    Image.new("RGB", (4, 4), "red").save(secret)
    renderer = make_renderer('<html><body><p>Hola {{ name }}</p><img src="{{ src }}"/></body></html>')
    for url in (secret.as_uri(), "http://127.0.0.1:9/x.png", "https://example.invalid/x.png", "ftp://x/y.png"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            renderer.url_fetcher.fetch(url)
        pdf = renderer.render_pdf(renderer.render_html(name="mundo", src=url)).pdf
        assert _images(pdf) == []
        assert "Hola mundo" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    qr = qr_png_data_uri("x")
    (image,) = _images(renderer.render_pdf(renderer.render_html(name="", src=qr)).pdf)
    assert image["/Width"] == NumberObject(25)  # version 1: 21 modules + 2 x 2 quiet zone


def test_pixelated_images_are_written_without_interpolation(make_renderer: MakeRenderer) -> None:
    renderer = make_renderer('<html><body><img class="qr" src="{{ src }}"/></body></html>',
                             ".qr { width: 30mm; height: 30mm; image-rendering: pixelated }")
    (image,) = _images(renderer.render_pdf(renderer.render_html(src=qr_png_data_uri("x"))).pdf)
    assert image["/Interpolate"] == BooleanObject(False)


def test_template_values_are_escaped_and_not_xhtml_falls_back(make_renderer: MakeRenderer) -> None:
    renderer = make_renderer("<html><body><div>{{ value }}</div>{{ tail | safe }}</body></html>")
    html = renderer.render_html(value='<img src="file:///etc/passwd"> & «ñ»', tail="")
    ElementTree.fromstring(html)  # escaped values keep the document well-formed XML
    text = PdfReader(io.BytesIO(renderer.render_pdf(html).pdf)).pages[0].extract_text()
    assert '<img src="file:///etc/passwd"> & «ñ»' in text
    # A template that is HTML but not XML (unclosed <br>) still renders, through the HTML parser.
    broken = renderer.render_html(value="uno", tail="<p>dos<br>tres</p>")
    with pytest.raises(ElementTree.ParseError):
        ElementTree.fromstring(broken)
    rendered = renderer.render_pdf(broken)
    assert rendered.pages == 1
    assert "dos" in PdfReader(io.BytesIO(rendered.pdf)).pages[0].extract_text()


def test_base_stylesheet_replaces_the_user_agent_one(make_renderer: MakeRenderer) -> None:
    # head content is not displayed, blocks stack, table cells line up, <b> is bold: all from base.css.
    renderer = make_renderer(
        "<html><head><title>Título</title></head><body><div>arriba</div><div>abajo</div>"
        "<table><tr><td>a1</td><td>b1</td></tr></table><b>negrita</b></body></html>")
    rendered = renderer.render_pdf(renderer.render_html())
    text = PdfReader(io.BytesIO(rendered.pdf)).pages[0].extract_text()
    assert "Título" not in text
    assert text.split("\n")[:2] == ["arriba", "abajo"]
    assert "a1" in text
    assert any(str(font["/BaseFont"]).endswith("Bold") for font in _resources(rendered.pdf, "/Font"))
