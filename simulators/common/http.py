"""The SOAP port's HTTP side that is not the authority's own: the request pipeline with its
injected faults, XML bodies, 405s.

Fault modes from the admin API apply before any processing, exactly where a client would
notice them: first the configured latency, then the canned answer of the current mode.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

from starlette.requests import Request
from starlette.responses import Response

from simulators.common.faults import FaultModes

InjectedAnswers = Mapping[str, Callable[[], Response]]
"""Fault mode -> the answer sent instead of processing the request (modes not listed: none)."""
BodyReader = Callable[[Request], Awaitable[bytes | None]]
"""Read a request's body; ``None`` when it is too large to process."""


def xml_response(body: bytes, content_type: str, status: int = 200) -> Response:
    # A header rather than a media type, so the value the service's clients expect is sent verbatim.
    return Response(body, status_code=status, media_type=None, headers={"content-type": content_type})


def html_error(status: int, text: str) -> Response:
    """What a load balancer or web server in front of the service answers (503, 500, 507)."""
    return Response(text, status_code=status, media_type="text/html")


def method_not_allowed(text: str) -> Response:
    return Response(text, status_code=405, headers={"allow": "POST"})


def post_only(text: str) -> Callable[[Request], Response]:
    """An ``on_get`` for services that only take POSTed envelopes (no WSDL to serve)."""
    return lambda request: method_not_allowed(text)


def body_up_to(limit: int) -> BodyReader:
    """Read the whole body; ``None`` when it is larger than ``limit`` bytes."""

    async def read(request: Request) -> bytes | None:
        body = await request.body()
        return body if len(body) <= limit else None

    return read


def soap_endpoint(
    faults: Callable[[], FaultModes],
    injected: InjectedAnswers,
    *,
    on_get: Callable[[Request], Response],
    read_body: BodyReader,
    too_large: Callable[[], Response],
    process: Callable[[Request, bytes], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    """The SOAP port's request pipeline; ``process`` answers the calls that get through it.

    In order: the configured latency, the current fault mode's canned answer, ``on_get`` for a
    GET, ``too_large`` for an oversized body. The fault settings are read once per request, so a
    change through the admin API applies from the next request on.
    """

    async def endpoint(request: Request) -> Response:
        current = faults()
        if current.latency_ms:
            await asyncio.sleep(current.latency_ms / 1000)
        answer = injected.get(current.mode)
        if answer is not None:
            return answer()
        if request.method == "GET":
            return on_get(request)
        body = await read_body(request)
        if body is None:
            return too_large()
        return await process(request, body)

    return endpoint
