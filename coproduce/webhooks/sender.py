"""One HTTP POST of a signed delivery, to the address that `addresses.resolve` checked.

Signing follows the Standard Webhooks specification (standardwebhooks.com, spec/standard-webhooks.md,
version 1.0.0): headers `webhook-id`, `webhook-timestamp` (integer Unix seconds) and
`webhook-signature` ("v1," and the base64 HMAC-SHA256 of "<id>.<timestamp>.<body>" under the
base64-decoded part of the "whsec_" secret), computed by the reference Python library
`standardwebhooks` (MIT) rather than by hand.
"""

from __future__ import annotations

import datetime as dt
import http.client
import socket
import ssl
from dataclasses import dataclass

from standardwebhooks.webhooks import Webhook

from coproduce.webhooks.addresses import Target

TIMEOUT_SECONDS = 10
USER_AGENT = "coproduce-webhooks/1"


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def signed_headers(secret: str, message_id: str, when: dt.datetime, body: str) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(when.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, when, body.encode()),
    }


def _connect(target: Target) -> socket.socket:
    last: OSError | None = None
    for address in target.addresses:
        try:
            raw = socket.create_connection((address, target.port), timeout=TIMEOUT_SECONDS)
        except OSError as error:
            last = error
            continue
        if target.scheme == "https":
            context = ssl.create_default_context()
            return context.wrap_socket(raw, server_hostname=target.host)
        return raw
    raise last or OSError("no address to connect to")


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTP(S) connection to the checked address, whatever the name resolves to later."""

    def __init__(self, target: Target) -> None:
        super().__init__(target.host, target.port, timeout=TIMEOUT_SECONDS)
        self.target = target

    def connect(self) -> None:
        self.sock = _connect(self.target)


def post(target: Target, headers: dict[str, str], body: str) -> Answer:
    connection = _PinnedConnection(target)
    try:
        connection.request(
            "POST",
            target.path,
            body=body.encode(),
            headers={
                **headers,
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
            },
        )
        response = connection.getresponse()
        response.read(64 * 1024)  # a receiver's answer is not kept; read a little, politely
        return Answer(response.status)
    except (OSError, http.client.HTTPException) as error:
        return Answer(None, f"{type(error).__name__}: {error}"[:300])
    finally:
        connection.close()
