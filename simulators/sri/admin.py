"""Admin HTTP API (port A, JSON): health, stats, per-document history, faults, reset.

It stays up when the SOAP port is in ``refuse`` mode, so tests can always switch back.
"""

from __future__ import annotations

import json
from typing import Any

import anyio.to_thread
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from simulators.sri.faults import InvalidFaults
from simulators.sri.server import Listener
from simulators.sri.service import SriService


def create_admin_app(service: SriService, soap_listener: Listener) -> Starlette:
    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "soap_listening": soap_listener.listening, "mode": service.faults.mode})

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

    async def faults(request: Request) -> JSONResponse:
        if request.method == "GET":
            return JSONResponse(service.faults.to_json())
        try:
            payload: Any = await request.json()
        except json.JSONDecodeError:
            return JSONResponse({"error": "body must be JSON"}, status_code=400)
        if not isinstance(payload, dict):
            return JSONResponse({"error": "body must be a JSON object"}, status_code=400)
        try:
            updated = service.faults.updated(payload)
        except InvalidFaults as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        # Stop/start the SOAP listener before publishing the mode, so that when this call
        # returns the port really refuses (or accepts) connections.
        if updated.mode == "refuse":
            await soap_listener.stop()
        else:
            await soap_listener.start()
        service.faults = updated
        return JSONResponse(updated.to_json())

    async def reset(request: Request) -> JSONResponse:
        await anyio.to_thread.run_sync(service.store.reset)
        return JSONResponse({"status": "reset"})

    return Starlette(
        routes=[
            Route("/admin/health", health, methods=["GET"]),
            Route("/admin/stats", stats, methods=["GET"]),
            Route("/admin/documents/{clave}", document, methods=["GET"]),
            Route("/admin/faults", faults, methods=["GET", "POST"]),
            Route("/admin/reset", reset, methods=["POST"]),
        ]
    )
