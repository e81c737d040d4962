"""The admin JSON API endpoints every simulator has: health, faults, reset, and reading a JSON body.

The admin port stays up while the SOAP port is in ``refuse`` mode, so tests can always switch
back. Each simulator adds its own endpoints (stats, documents, registries) next to these.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse

from simulators.common.faults import FaultModes, FaultState, InvalidFaults
from simulators.common.server import Listener

NOT_JSON = "body must be JSON"
NOT_OBJECT = "body must be a JSON object"

Endpoint = Callable[[Request], Awaitable[JSONResponse]]
Settings = TypeVar("Settings", bound=FaultState)


def bad_request(message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=400)


async def json_object(request: Request, *, not_json: str = NOT_JSON) -> dict[str, Any] | JSONResponse:
    """The request's JSON object, or the 400 answer to send instead."""
    try:
        payload: Any = await request.json()
    except json.JSONDecodeError:
        return bad_request(not_json)
    if not isinstance(payload, dict):
        return bad_request(NOT_OBJECT)
    return payload


async def json_or_none(request: Request) -> Any:
    """The request's JSON value, ``None`` when the body is not JSON (for endpoints with their own message)."""
    try:
        return await request.json()
    except json.JSONDecodeError:
        return None


def health_endpoint(
    faults: Callable[[], FaultModes], soap_listener: Listener, *, extra: Mapping[str, object] | None = None
) -> Endpoint:
    async def health(request: Request) -> JSONResponse:
        return JSONResponse(
            {"status": "ok", **(extra or {}), "soap_listening": soap_listener.listening, "mode": faults().mode}
        )

    return health


def faults_endpoint(
    current: Callable[[], Settings],
    publish: Callable[[Settings], None],
    soap_listener: Listener,
    *,
    not_json: str = NOT_JSON,
) -> Endpoint:
    """``GET|POST /admin/faults``: read the settings, or change some of them (validated)."""

    async def faults(request: Request) -> JSONResponse:
        if request.method == "GET":
            return JSONResponse(current().to_json())
        payload = await json_object(request, not_json=not_json)
        if isinstance(payload, JSONResponse):
            return payload
        try:
            updated = current().updated(payload)
        except InvalidFaults as exc:
            return bad_request(str(exc))
        # Close or reopen the SOAP port before publishing the mode, so that when this call
        # returns the port really refuses (or accepts) connections.
        if updated.mode == "refuse":
            await soap_listener.stop()
        else:
            await soap_listener.start()
        publish(updated)
        return JSONResponse(updated.to_json())

    return faults


def reset_endpoint(reset: Callable[[], None]) -> Endpoint:
    """``POST /admin/reset``: forget the stored state (on a worker thread: SQLite blocks)."""

    async def endpoint(request: Request) -> JSONResponse:
        await anyio.to_thread.run_sync(reset)
        return JSONResponse({"status": "reset"})

    return endpoint
