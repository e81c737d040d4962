"""SMTP delivery with the standard library: any server, STARTTLS and login when configured."""

import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    timeout_seconds: float = 30.0


class SmtpMailer:
    def __init__(self, settings: SmtpSettings) -> None:
        self._settings = settings

    def send(self, message: EmailMessage, on_accepted: Callable[[], None] = lambda: None) -> None:
        """Send one message; ``on_accepted`` runs as soon as the server has accepted it.

        SMTP cannot be exactly-once: after the server's 250 to DATA, a crash before we record the send
        leaves no way to know the message went out, so a retry sends it again. Recording in
        ``on_accepted`` (before QUIT and the connection teardown) keeps that window to milliseconds, and
        the stable Message-ID lets mail clients collapse a repeat.
        """
        s = self._settings
        with smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds) as smtp:
            if s.starttls:
                smtp.starttls()
            if s.username and s.password:
                smtp.login(s.username, s.password)
            smtp.send_message(message)
            on_accepted()
