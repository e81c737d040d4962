"""A real SMTP server for the demo and tests that stores each message it receives as an .eml file.

It speaks SMTP through aiosmtpd, so the product's mail code runs exactly as it would against any mail
server; only the delivery is replaced by a file in a folder a person (or a test) can open.
"""

import argparse
import asyncio
import re
import time
from email.parser import BytesHeaderParser
from email.policy import default
from pathlib import Path

import structlog
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from simulators.common.cli import announce_ready

log = structlog.get_logger(__name__)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class MaildirHandler:
    def __init__(self, folder: Path) -> None:
        self._folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._counter = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        message_id = _header(content, "Message-ID") or "no-message-id"
        self._counter += 1
        name = f"{time.time_ns()}-{self._counter:05d}-{_UNSAFE.sub('_', message_id.strip('<>'))[:120]}.eml"
        tmp = self._folder / f".{name}.tmp"
        tmp.write_bytes(content)
        tmp.rename(self._folder / name)  # appears complete or not at all
        log.info("smtp.stored", file=name, recipients=len(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


def _header(content: bytes, name: str) -> str | None:
    # Parse the headers properly: long ones (a Message-ID of 80 characters) are folded onto two lines.
    value = BytesHeaderParser(policy=default).parsebytes(content).get(name)
    return None if value is None else str(value).strip()


def find_messages(maildir: Path, message_id: str) -> list[Path]:
    """The stored messages carrying a Message-ID, oldest first."""
    if not maildir.exists():
        return []
    parser = BytesHeaderParser(policy=default)
    found = []
    for eml in sorted(maildir.glob("*.eml")):
        with eml.open("rb") as handle:
            if str(parser.parse(handle).get("Message-ID", "")).strip() == message_id:
                found.append(eml)
    return found


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulators smtp")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--maildir", type=Path, required=True)
    args = parser.parse_args(argv)
    controller = Controller(MaildirHandler(args.maildir), hostname=args.host, port=args.port,
                            data_size_limit=50 * 1024 * 1024)
    controller.start()
    announce_ready("smtp", port=args.port)
    try:
        asyncio.run(_forever())
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
    return 0


async def _forever() -> None:
    await asyncio.Event().wait()
