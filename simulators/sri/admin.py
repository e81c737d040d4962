"""Admin HTTP API (port A, JSON): health, stats, per-document history, faults, reset.

It stays up when the SOAP port is in ``refuse`` mode, so tests can always switch back.
"""

from __future__ import annotations

import anyio.to_thread
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from simulators.common.admin import faults_endpoint, health_endpoint, reset_endpoint
from simulators.common.server import Listener
from simulators.sri.faults import FaultSettings
from simulators.sri.service import SriService


def create_admin_app(service: SriService, soap_listener: Listener) -> Starlette:
    def current() -> FaultSettings:
        return service.faults

    def publish(updated: FaultSettings) -> None:
        service.faults = updated

    async def stats(request: Request) -> JSONResponse:
        await anyio.to_thread.run_sync(service.settle_due)
        counts = await anyio.to_thread.run_sync(service.store.stats)
        return JSONResponse(
            {
                **counts,
                "authorization_queries": service.counters.authorization_queries,
                "faults": service.faults.to_json(),
                "soap_listening": soap_listener.listening,
            }
        )

    async def document(request: Request) -> JSONResponse:
        clave = request.path_params["clave"]
        await anyio.to_thread.run_sync(service.settle_due)
        report = await anyio.to_thread.run_sync(service.store.document_report, clave)
        if report is None:
            return JSONResponse({"error": "unknown clave", "clave": clave}, status_code=404)
        return JSONResponse(report)

    return Starlette(
        routes=[
            Route("/admin/health", health_endpoint(current, soap_listener), methods=["GET"]),
            Route("/admin/stats", stats, methods=["GET"]),
            Route("/admin/documents/{clave}", document, methods=["GET"]),
            Route("/admin/faults", faults_endpoint(current, publish, soap_listener), methods=["GET", "POST"]),
            Route("/admin/reset", reset_endpoint(service.store.reset), methods=["POST"]),
        ]
    )
