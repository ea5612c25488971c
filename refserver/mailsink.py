"""A real SMTP server on a free local port that keeps every message it is sent: where the embedded refserver's
notices go (IBCERT_SMTP_HOST/PORT), so that tests read what a customer's mailbox would get. aiosmtpd, in a thread.

    with MailSink(port) as sink:
        ...                                   # the server sends to sink.host:sink.port
        notice = sink.wait_for(lambda m: m["To"] == "keiri@example.co.jp")
"""

from __future__ import annotations

import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Callable

from aiosmtpd.controller import Controller


class MailSink:
    def __init__(self, port: int, host: str = "127.0.0.1"):
        self.host, self.port = host, port
        self.messages: list[EmailMessage] = []
        self._arrived = threading.Condition()
        self._controller = Controller(self, hostname=host, port=port)
        self._running = False

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, match: Callable[[EmailMessage], bool], timeout: float = 10) -> EmailMessage:
        """The first message `match` accepts, waiting for it to arrive (AssertionError after `timeout` seconds)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                found = next((m for m in self.messages if match(m)), None)
                if found is not None:
                    return found
                left = deadline - time.monotonic()
                if left <= 0 or not self._arrived.wait(left):
                    raise AssertionError(f"no such message within {timeout} s; received: "
                                         f"{[(m['To'], m['Subject']) for m in self.messages]}")

    def to(self, address: str) -> list[EmailMessage]:
        with self._arrived:
            return [m for m in self.messages if m["To"] == address]

    def start(self) -> MailSink:
        self._controller.start()
        self._running = True
        return self

    def stop(self) -> None:
        """Stop listening (a sink never started, or stopped already, is left as it is)."""
        if self._running:
            self._controller.stop()
            self._running = False

    def __enter__(self) -> MailSink:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
