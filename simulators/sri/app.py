"""The SOAP side (port P): the SRI's two offline web services (reference §12, §18).

Paths, envelopes and prefixes are the real ones. Fault modes from the admin API are applied
here, before any processing, exactly where a client would notice them.
"""

from __future__ import annotations

import base64
import binascii

import anyio.to_thread
import structlog
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulators.common.http import InjectedAnswers, html_error, method_not_allowed, soap_endpoint, xml_response
from simulators.sri import soap, wsdl
from simulators.sri.service import ReceptionOutcome, SriService

log = structlog.get_logger("simulators.sri")

BASE = "/comprobantes-electronicos-ws"
RECEPCION_PATH = f"{BASE}/RecepcionComprobantesOffline"
AUTORIZACION_PATH = f"{BASE}/AutorizacionComprobantesOffline"

# A 320 KB comprobante is ~430 KB in base64; anything far beyond is not a Recepción call.
MAX_REQUEST_BYTES = 8 * 1024 * 1024

# What a client sees when the connection dies mid-answer (fault mode "malformed").
_TRUNCATED = (
    f'<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="{soap.SOAP_ENV}"><soap:Body>'
    f'<ns2:validarComprobanteResponse xmlns:ns2="{soap.RECEPCION_NS}"><RespuestaRecepci'
).encode()


def _xml(body: bytes, status: int = 200) -> Response:
    return xml_response(body, soap.CONTENT_TYPE, status)


def _fault(message: str, code: str = "soap:Server") -> Response:
    # SOAP 1.1 §6.2: a Fault travels with HTTP 500.
    return _xml(soap.fault(message, code), 500)


def _recepcion_body(outcome: ReceptionOutcome) -> bytes:
    return soap.recepcion_response(outcome.estado, outcome.clave, outcome.mensajes)


def _process_recepcion(service: SriService, body: bytes) -> bytes:
    operation = soap.parse_request(body)
    if (operation.namespace, operation.name) != (soap.RECEPCION_NS, "validarComprobante"):
        raise soap.SoapRequestError(f"Cannot find dispatch method for {{{operation.namespace}}}{operation.name}")
    encoded = operation.argument("xml")
    if not encoded or not encoded.strip():
        return _recepcion_body(service.null_arguments())
    try:
        # xs:base64Binary allows whitespace between characters.
        xml = base64.b64decode("".join(encoded.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise soap.SoapRequestError(f"Unmarshalling Error: invalid base64Binary content ({exc})") from exc
    if service.faults.mode == "error_50":
        return _recepcion_body(service.internal_error(xml))
    return _recepcion_body(service.receive(xml))


def _process_autorizacion(service: SriService, body: bytes) -> bytes:
    operation = soap.parse_request(body)
    if operation.namespace != soap.AUTORIZACION_NS:
        raise soap.SoapRequestError(f"Cannot find dispatch method for {{{operation.namespace}}}{operation.name}")
    if operation.name == "autorizacionComprobanteLote":
        raise soap.SoapRequestError("autorizacionComprobanteLote is not supported by the simulator")
    if operation.name != "autorizacionComprobante":
        raise soap.SoapRequestError(f"Cannot find dispatch method for {{{operation.namespace}}}{operation.name}")
    clave = operation.argument("claveAccesoComprobante") or ""
    outcome = service.authorize(clave)
    if outcome.rejected_clave is not None:
        return soap.autorizacion_response(clave, [outcome.rejected_clave], with_header=False)
    return soap.autorizacion_response(clave.strip(), outcome.autorizaciones)


# error_50 is not here: it is an SRI answer, given once the request has been read (_process_recepcion).
_INJECTED: InjectedAnswers = {
    "http_503": lambda: html_error(503, "Service Temporarily Unavailable"),
    "malformed": lambda: _xml(_TRUNCATED),
    "soap_fault": lambda: _fault("java.lang.NullPointerException (simulated SRI failure)"),
}


def _get(request: Request) -> Response:
    if "wsdl" not in {key.lower() for key in request.query_params}:
        return method_not_allowed("Use POST with a SOAP 1.1 envelope, or ?wsdl")
    location = str(request.url.replace(query=""))
    if request.url.path == RECEPCION_PATH:
        return _xml(wsdl.recepcion_wsdl(location))
    return _xml(wsdl.autorizacion_wsdl(location))


async def _read_body(request: Request) -> bytes | None:
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_REQUEST_BYTES:
        return None
    body = await request.body()
    return body if len(body) <= MAX_REQUEST_BYTES else None


def create_soap_app(service: SriService) -> Starlette:
    async def process(request: Request, body: bytes) -> Response:
        operation = _process_recepcion if request.url.path == RECEPCION_PATH else _process_autorizacion
        try:
            answer = await anyio.to_thread.run_sync(operation, service, body)
        except soap.SoapRequestError as exc:
            log.info("sri.soap_fault", path=request.url.path, reason=str(exc))
            return _fault(str(exc), exc.code)
        except Exception as exc:  # a simulator bug must still look like an SRI server error
            log.exception("sri.internal_error", path=request.url.path)
            return _fault(f"Internal error: {type(exc).__name__}")
        return _xml(answer)

    endpoint = soap_endpoint(
        lambda: service.faults,
        _INJECTED,
        on_get=_get,
        read_body=_read_body,
        too_large=lambda: _fault("Request entity too large", "soap:Client"),
        process=process,
    )
    return Starlette(
        routes=[
            Route(RECEPCION_PATH, endpoint, methods=["GET", "POST"]),
            Route(AUTORIZACION_PATH, endpoint, methods=["GET", "POST"]),
        ]
    )
