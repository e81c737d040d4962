"""Keep children's stdout pipes flowing.

starter.processes.ChildProcess reads stdout only until the readiness line and leaves the pipe open. A
child that keeps writing there blocks once the pipe buffer (64 KiB) is full: the SMTP capture server logs
every stored message to stdout (structlog's default), so after about 400 mails it freezes and every
send_email times out. The harness copies whatever its children print into their log files instead.
"""

import threading
from typing import IO

from starter.processes import ChildProcess


def _copy(stream: IO[bytes], log_path: str) -> None:
    with open(log_path, "ab") as log:
        for line in iter(stream.readline, b""):
            log.write(line)
            log.flush()


def keep_draining(child: ChildProcess) -> threading.Thread | None:
    """Copy the child's stdout into its log until the child exits (a daemon thread; EOF ends it)."""
    if child.process is None or child.process.stdout is None:
        return None
    thread = threading.Thread(target=_copy, args=(child.process.stdout, str(child.log_path)),
                              name=f"drain-{child.name}", daemon=True)
    thread.start()
    return thread
