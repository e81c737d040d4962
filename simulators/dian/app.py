"""The SOAP side (port P): WcfDianCustomerServices over SOAP 1.2 (reference §6).

Fault modes from the admin API apply before anything else, where a client notices them. A request
whose WS-Security header does not verify gets DIAN's bare SOAP fault with HTTP 500 (§6.4 [PROD]);
the reason is logged here, since DIAN does not say it.
"""

from __future__ import annotations

import asyncio

import anyio.to_thread
import structlog
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulators.dian import soap
from simulators.dian.faults import FaultSettings
from simulators.dian.service import DianService
from simulators.dian.wssecurity import SecurityFault, verify_request

log = structlog.get_logger("simulators.dian")

PATH = "/WcfDianCustomerServices.svc"
MAX_REQUEST_BYTES = 16 * 1024 * 1024
_TRUNCATED = (f'<s:Envelope xmlns:s="{soap.SOAP12}"><s:Body><SendBillSyncResponse xmlns="{soap.WCF}">'
              "<SendBillSyncResult><b:IsVal").encode()


def _xml(body: bytes, status: int = 200) -> Response:
    return Response(body, status_code=status, headers={"content-type": soap.CONTENT_TYPE})


def _injected(faults: FaultSettings) -> Response | None:
    if faults.mode in ("http_500", "http_503", "http_507"):
        status = int(faults.mode.removeprefix("http_"))
        return Response("Service Unavailable" if status == 503 else "Server Error", status_code=status,
                        media_type="text/html")
    if faults.mode == "malformed":
        return _xml(_TRUNCATED)
    if faults.mode == "soap_fault":
        return _xml(soap.fault("Ha ocurrido un error. Por favor inténtentelo de nuevo."), 500)
    return None


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
        return _xml(soap.fault(str(exc), "s:Sender"), 500)
    except SecurityFault as exc:
        log.info("dian.security_fault", reason=str(exc))
        return _xml(soap.fault(), 500)
    except Exception:  # a simulator bug must still look like a DIAN server error
        log.exception("dian.internal_error")
        return _xml(soap.fault("Ha ocurrido un error. Por favor inténtentelo de nuevo."), 500)
    return _xml(answer)


def create_soap_app(service: DianService) -> Starlette:
    async def endpoint(request: Request) -> Response:
        faults = service.faults
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        injected = _injected(faults)
        if injected is not None:
            return injected
        if request.method == "GET":
            return Response("Use POST with a SOAP 1.2 envelope", status_code=405, headers={"allow": "POST"})
        body = await request.body()
        if len(body) > MAX_REQUEST_BYTES:
            return _xml(soap.fault("Request entity too large", "s:Sender"), 500)
        return await _answer(service, body)

    return Starlette(routes=[Route(PATH, endpoint, methods=["GET", "POST"])])
