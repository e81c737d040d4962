"""Admin HTTP API (port A, JSON), the same shape as the SRI simulator's plus the PAC's own needs.

* ``GET /admin/health`` · ``GET /admin/stats`` · ``POST /admin/reset``
* ``GET|POST /admin/faults``: ``{mode, latency_ms, immediate_cancel_window_s, acceptance_window_s,
  cancel_not_found_s}`` (see :mod:`simulators.pac.faults`)
* ``GET /admin/documents/{uuid}``: the stored timbre, ``stamp_count``, cancellation and request history
* ``GET /admin/documents/{uuid}/xml``: the stamped XML
* ``POST /admin/documents/{uuid}/cancellation`` ``{"decision": "accept" | "reject"}``: the receiver's
  answer to a pending cancellation (what the Buzón Tributario does in reality)
* ``GET /admin/sat-certificate``: the PEM certificate that signs this PAC's timbres, to verify them

It stays up when the SOAP port is in ``refuse`` mode, so tests can always switch back.
"""

from __future__ import annotations

import anyio.to_thread
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulators.common.admin import (
    NOT_OBJECT,
    bad_request,
    faults_endpoint,
    health_endpoint,
    json_or_none,
    reset_endpoint,
)
from simulators.common.server import Listener
from simulators.pac.faults import PacSettings
from simulators.pac.service import PacService


def create_admin_app(service: PacService, soap_listener: Listener, *, pac_name: str) -> Starlette:
    def current() -> PacSettings:
        return service.settings

    def publish(updated: PacSettings) -> None:
        service.settings = updated

    async def stats(request: Request) -> JSONResponse:
        await anyio.to_thread.run_sync(service.settle_due)
        counts = await anyio.to_thread.run_sync(service.store.stats)
        return JSONResponse({**counts, "pac": pac_name, "settings": service.settings.to_json(),
                             "soap_listening": soap_listener.listening})

    async def document(request: Request) -> JSONResponse:
        uuid = request.path_params["uuid"]
        report = await anyio.to_thread.run_sync(service.document_report, uuid)
        if report is None:
            return JSONResponse({"error": "unknown uuid", "uuid": uuid}, status_code=404)
        return JSONResponse(report)

    async def document_xml(request: Request) -> Response:
        found = await anyio.to_thread.run_sync(service.store.by_uuid, request.path_params["uuid"])
        if found is None:
            return JSONResponse({"error": "unknown uuid"}, status_code=404)
        return Response(found.stamped_xml, media_type="application/xml")

    async def decision(request: Request) -> JSONResponse:
        payload = await json_or_none(request)
        choice = payload.get("decision") if isinstance(payload, dict) else None
        if choice not in ("accept", "reject"):
            return bad_request('body must be {"decision": "accept" | "reject"}')
        uuid = request.path_params["uuid"]
        state = await anyio.to_thread.run_sync(lambda: service.decide(uuid, accept=choice == "accept"))
        if state is None:
            return JSONResponse({"error": "no cancellation pending for this uuid"}, status_code=409)
        return JSONResponse({"uuid": uuid.upper(), "state": state})

    async def sat_certificate(request: Request) -> Response:
        return Response(service.identity.pem, media_type="application/x-pem-file",
                        headers={"x-no-certificado-sat": service.identity.number})

    return Starlette(routes=[
        Route("/admin/health", health_endpoint(current, soap_listener, extra={"pac": pac_name}), methods=["GET"]),
        Route("/admin/stats", stats, methods=["GET"]),
        Route("/admin/documents/{uuid}", document, methods=["GET"]),
        Route("/admin/documents/{uuid}/xml", document_xml, methods=["GET"]),
        Route("/admin/documents/{uuid}/cancellation", decision, methods=["POST"]),
        # A body that is not JSON at all gets the same answer as one that is not an object.
        Route("/admin/faults", faults_endpoint(current, publish, soap_listener, not_json=NOT_OBJECT),
              methods=["GET", "POST"]),
        Route("/admin/reset", reset_endpoint(service.store.reset), methods=["POST"]),
        Route("/admin/sat-certificate", sat_certificate, methods=["GET"]),
    ])
