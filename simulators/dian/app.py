"""The SOAP side (port P): WcfDianCustomerServices over SOAP 1.2 (reference §6).

Fault modes from the admin API apply before anything else, where a client notices them. A request
whose WS-Security header does not verify gets DIAN's bare SOAP fault with HTTP 500 (§6.4 [PROD]);
the reason is logged here, since DIAN does not say it.
"""

from __future__ import annotations

import anyio.to_thread
import structlog
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from simulators.common.http import InjectedAnswers, body_up_to, html_error, post_only, soap_endpoint, xml_response
from simulators.dian import soap
from simulators.dian.service import DianService
from simulators.dian.wssecurity import SecurityFault, verify_request

log = structlog.get_logger("simulators.dian")

PATH = "/WcfDianCustomerServices.svc"
MAX_REQUEST_BYTES = 16 * 1024 * 1024
_TRUNCATED = (f'<s:Envelope xmlns:s="{soap.SOAP12}"><s:Body><SendBillSyncResponse xmlns="{soap.WCF}">'
              "<SendBillSyncResult><b:IsVal").encode()
# DIAN's answer to anything that fails on its side, whatever the cause.
_GENERIC_ERROR = "Ha ocurrido un error. Por favor inténtentelo de nuevo."
_GET = post_only("Use POST with a SOAP 1.2 envelope")


def _xml(body: bytes, status: int = 200) -> Response:
    return xml_response(body, soap.CONTENT_TYPE, status)


_INJECTED: InjectedAnswers = {
    "http_500": lambda: html_error(500, "Server Error"),
    "http_503": lambda: html_error(503, "Service Unavailable"),
    "http_507": lambda: html_error(507, "Server Error"),
    "malformed": lambda: _xml(_TRUNCATED),
    "soap_fault": lambda: _xml(soap.fault(_GENERIC_ERROR), 500),
}


def _dispatch(service: DianService, body: bytes) -> bytes:
    request = soap.parse_request(body)
    caller = verify_request(request.envelope, action=request.action, trusted=service.trusted, now=service.now())
    args, now = request.arguments, service.now()
    if request.operation == "SendBillSync":
        result = service.send_bill_sync(args.get("fileName", ""), args.get("contentFile", ""), caller)
        return soap.dian_response(request.operation, result, now)
    if request.operation in ("SendBillAsync", "SendTestSetAsync"):
        upload = service.send_async(request.operation, args.get("fileName", ""), args.get("contentFile", ""),
                                    caller, args.get("testSetId"))
        return soap.upload_response(request.operation, upload, now)
    if request.operation == "GetStatus":
        return soap.dian_response(request.operation, service.get_status(args.get("trackId", "")), now)
    if request.operation == "GetStatusZip":
        return soap.dian_response_list(request.operation, service.get_status_zip(args.get("trackId", "")), now)
    raise soap.SoapRequestError(f"La operación {request.operation} no está disponible en el simulador")


async def _answer(service: DianService, body: bytes) -> Response:
    try:
        answer = await anyio.to_thread.run_sync(_dispatch, service, body)
    except soap.SoapRequestError as exc:
        log.info("dian.soap_fault", reason=str(exc))
        return _xml(soap.fault(str(exc), exc.code), 500)
    except SecurityFault as exc:
        log.info("dian.security_fault", reason=str(exc))
        return _xml(soap.fault(), 500)
    except Exception:  # a simulator bug must still look like a DIAN server error
        log.exception("dian.internal_error")
        return _xml(soap.fault(_GENERIC_ERROR), 500)
    return _xml(answer)


def create_soap_app(service: DianService) -> Starlette:
    endpoint = soap_endpoint(
        lambda: service.faults,
        _INJECTED,
        on_get=_GET,
        read_body=body_up_to(MAX_REQUEST_BYTES),
        too_large=lambda: _xml(soap.fault("Request entity too large", "s:Sender"), 500),
        process=lambda request, body: _answer(service, body),
    )
    return Starlette(routes=[Route(PATH, endpoint, methods=["GET", "POST"])])
