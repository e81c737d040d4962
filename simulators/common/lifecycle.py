"""Run a simulator's two listeners (SOAP port, admin port) from start-up to SIGINT/SIGTERM.

The order matters to launchers and tests: both ports accept connections before the readiness
line is written, and the state is closed only after both listeners have stopped.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable, Mapping

from structlog.typing import FilteringBoundLogger

from simulators.common.cli import announce_ready
from simulators.common.server import Listener

BIND_FAILED = 2  # exit status when a port cannot be bound (the same as a configuration error)


async def serve(
    log: FilteringBoundLogger,
    service: str,
    soap_listener: Listener,
    admin_listener: Listener,
    *,
    close: Callable[[], None],
    started: Callable[[], None],
    stopping: Mapping[str, object] | None = None,
) -> int:
    """Serve until a signal; returns the process exit status.

    ``service`` names the readiness line and prefixes the ``<service>.bind_failed`` and
    ``<service>.stopping`` events; ``started`` logs the simulator's own start-up event once both
    ports listen; ``close`` releases its state (on a bind failure too); ``stopping`` adds fields
    to the stopping event.
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # Installed before the ports open, so a signal during start-up still stops the simulator cleanly.
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await soap_listener.start()
        await admin_listener.start()
    except OSError as exc:
        log.error(f"{service}.bind_failed", error=str(exc))
        await soap_listener.stop()
        close()
        return BIND_FAILED
    started()
    announce_ready(service, port=soap_listener.port, admin_port=admin_listener.port)
    await stop.wait()
    log.info(f"{service}.stopping", **(stopping or {}))
    await soap_listener.stop()
    await admin_listener.stop()
    close()
    return 0
