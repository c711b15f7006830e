"""What a mailing needs from the event it invites people to, without importing the events app.

The events app sits above comms (it queues reminders and booking emails through the outbox),
so comms never imports it. A mailing names its event by a foreign key given as a string
("events.Event"); the two things a composer needs beyond that come from a provider that the
events app registers here in its AppConfig.ready (coproduce/events/invitations.py):

- `choosable(current)`: the events a mailing may invite people to, plus the one it already
  names (`current`, a primary key or None) so an edit never loses its choice;
- `details(event)`: the Markdown added below an invitation's message (what, when, where, and
  the link to book).

With no provider registered (the events app not installed) no event can be chosen and nothing
is added.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet


@dataclass(frozen=True)
class Provider:
    choosable: Callable[[int | None], QuerySet[Any]]
    details: Callable[[Any], str]


_provider: Provider | None = None


def register(
    *, choosable: Callable[[int | None], QuerySet[Any]], details: Callable[[Any], str]
) -> None:
    global _provider
    _provider = Provider(choosable=choosable, details=details)


def choosable(current: int | None = None) -> QuerySet[Any]:
    if _provider is None:
        from coproduce.comms.models import Mailing

        model = Mailing._meta.get_field("event").related_model
        assert isinstance(model, type)  # the foreign key's target, resolved when apps load
        return model._default_manager.none()
    return _provider.choosable(current)


def find(pk: int) -> Any | None:
    """The event with this key if a mailing may name it (or None)."""
    return choosable(pk).filter(pk=pk).first()


def with_details(body: str, event: Any) -> str:
    """An invitation's body followed by what the events app says about its event."""
    if event is None or _provider is None:
        return body
    return f"{body.rstrip()}\n\n---\n\n{_provider.details(event)}\n"
