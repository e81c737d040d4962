"""Uvicorn listeners that can be stopped and reopened inside one event loop.

Fault mode ``refuse`` must make a simulator's SOAP port refuse TCP connections for real (the
SRI "often refuses connections", reference §12.2; DIAN and PACs do too) while the admin port
keeps answering, so each port is its own uvicorn ``Server`` on a socket we bind ourselves and
can close and rebind.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Generator

import uvicorn
from starlette.types import ASGIApp


class _QuietServer(uvicorn.Server):
    """A uvicorn Server that leaves signal handling to our process (two servers, one loop)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must be IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets
    # whose proto says TCP, and without it every response stalls ~40 ms on delayed ACKs.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(False)
    return sock


class Listener:
    """One HTTP port serving ``app``; ``start``/``stop`` may be called repeatedly."""

    def __init__(self, app: ASGIApp, host: str, port: int, *, name: str) -> None:
        self.app = app
        self.host = host
        self.port = port  # becomes the real port after the first start when 0
        self.name = name
        self._server: _QuietServer | None = None
        self._task: asyncio.Task[None] | None = None
        self._switching = asyncio.Lock()  # admin calls may race: one transition at a time

    @property
    def listening(self) -> bool:
        return self._server is not None and self._server.started and not self._server.should_exit

    async def start(self) -> None:
        async with self._switching:
            await self._start()

    async def stop(self) -> None:
        async with self._switching:
            await self._stop()

    async def _start(self) -> None:
        if self._server is not None:
            return
        sock = bind(self.host, self.port)
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            host=self.host,
            port=self.port,
            lifespan="off",
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=2,
            # Clients (and benchmarks) keep connections alive between Recepción and polling.
            timeout_keep_alive=30,
        )
        server = _QuietServer(config)
        task = asyncio.create_task(server.serve(sockets=[sock]), name=f"uvicorn-{self.name}")
        while not server.started:
            if task.done():
                task.result()  # re-raise the startup failure
                raise RuntimeError(f"{self.name} listener exited during startup")
            await asyncio.sleep(0.005)
        self._server, self._task = server, task

    async def _stop(self) -> None:
        server, task = self._server, self._task
        if server is None or task is None:
            return
        server.should_exit = True
        await task
        self._server = self._task = None
