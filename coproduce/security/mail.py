"""How the sign-in security app sends its one email (the unlock link) without importing comms.

Every message leaves through the outbox in `comms`, which sits above the base apps (it knows
associates and consent). So security holds only this port: comms registers its
`outbox.queue_message` here from its AppConfig.ready, and `send()` calls it. Idempotent by
`key`, as the outbox is.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

Sender = Callable[[str, str, str, str], object]

_sender: Sender | None = None


def register(sender: Sender) -> None:
    global _sender
    _sender = sender


def send(key: str, to_email: str, subject: str, body_text: str) -> None:
    if _sender is None:
        raise ImproperlyConfigured(
            "No mail sender is registered: the comms app (the outbox) must be installed."
        )
    _sender(key, to_email, subject, body_text)
