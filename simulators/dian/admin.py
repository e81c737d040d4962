"""Admin HTTP API (port A, JSON), the same as the SRI simulator's plus the DIAN's registry:

GET /admin/health · GET /admin/stats · GET /admin/documents/{cufe} · GET|POST /admin/faults ·
POST /admin/reset · POST /admin/software {id, pin} · POST /admin/resolutions {nit, authorization, …}.
It stays up while the SOAP port is in ``refuse`` mode, so tests can always switch back.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import anyio.to_thread
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from simulators.common.admin import bad_request, faults_endpoint, health_endpoint, json_object, reset_endpoint
from simulators.common.server import Listener
from simulators.dian.checks import Resolution
from simulators.dian.faults import FaultSettings
from simulators.dian.service import DianService


def parse_resolution(item: dict[str, Any]) -> Resolution:
    return Resolution(
        nit=str(item["nit"]), authorization=str(item["authorization"]), prefix=str(item.get("prefix") or ""),
        range_from=int(item["range_from"]), range_to=int(item["range_to"]),
        valid_from=date.fromisoformat(str(item["valid_from"])), valid_to=date.fromisoformat(str(item["valid_to"])),
        technical_key=str(item["technical_key"]),
    )


def create_admin_app(service: DianService, soap_listener: Listener) -> Starlette:
    def current() -> FaultSettings:
        return service.faults

    def publish(updated: FaultSettings) -> None:
        service.faults = updated

    async def stats(request: Request) -> JSONResponse:
        counts = await anyio.to_thread.run_sync(service.store.stats)
        return JSONResponse({**counts, "faults": service.faults.to_json(), "soap_listening": soap_listener.listening})

    async def document(request: Request) -> JSONResponse:
        key = request.path_params["cufe"].lower()
        report = await anyio.to_thread.run_sync(service.store.document_report, key)
        if report is None:
            return JSONResponse({"error": "unknown document key", "cufe": key}, status_code=404)
        return JSONResponse(report)

    async def software(request: Request) -> JSONResponse:
        payload = await json_object(request)
        if isinstance(payload, JSONResponse):
            return payload
        if not isinstance(payload.get("id"), str) or not isinstance(payload.get("pin"), str):
            return bad_request("id and pin must be strings")
        await anyio.to_thread.run_sync(service.store.add_software, payload["id"], payload["pin"])
        return JSONResponse({"status": "registered", "id": payload["id"]})

    async def resolutions(request: Request) -> JSONResponse:
        payload = await json_object(request)
        if isinstance(payload, JSONResponse):
            return payload
        try:
            resolution = parse_resolution(payload)
        except (KeyError, ValueError, TypeError) as exc:
            return bad_request(f"invalid resolution: {exc}")
        await anyio.to_thread.run_sync(service.store.add_resolution, resolution)
        return JSONResponse({"status": "registered", "authorization": resolution.authorization})

    return Starlette(
        routes=[
            Route("/admin/health", health_endpoint(current, soap_listener), methods=["GET"]),
            Route("/admin/stats", stats, methods=["GET"]),
            Route("/admin/documents/{cufe}", document, methods=["GET"]),
            Route("/admin/faults", faults_endpoint(current, publish, soap_listener), methods=["GET", "POST"]),
            Route("/admin/reset", reset_endpoint(service.store.reset), methods=["POST"]),
            Route("/admin/software", software, methods=["POST"]),
            Route("/admin/resolutions", resolutions, methods=["POST"]),
        ]
    )
