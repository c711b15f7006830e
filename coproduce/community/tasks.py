"""Emails to associates and people registering. Tasks take ids, never model instances.

Each email is a template triplet under community/email/: <name>_subject.txt, <name>_body.txt
and <name>_body.html. Every email to an associate carries their self-service link.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django_tasks import task

from coproduce.community import links, registration
from coproduce.community.models import Associate, Registration


def send_templated(name: str, to: str, context: dict[str, Any]) -> None:
    """Render community/email/<name>_{subject,body}.txt and _body.html and send them."""
    context = {
        "collaboration_name": settings.COLLABORATION_NAME,
        "collaboration_short_name": settings.COLLABORATION_SHORT_NAME,
        "site_url": settings.SITE_URL,
        **context,
    }
    subject = render_to_string(f"community/email/{name}_subject.txt", context)
    text = render_to_string(f"community/email/{name}_body.txt", context)
    html = render_to_string(f"community/email/{name}_body.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),  # one line, whatever the template's whitespace
        body=text,
        to=[to],
    )
    message.attach_alternative(html, "text/html")
    message.send()


@task()
def send_confirmation(registration_id: int) -> None:
    """The double opt-in email with the confirmation link."""
    entry = (
        Registration.objects.select_related("associate")
        .filter(pk=registration_id, confirmed__isnull=True)
        .first()
    )
    if entry is None:  # confirmed already, or erased and deleted since
        return
    associate = entry.associate
    known = associate is not None and associate.status == Associate.Status.ACTIVE
    send_templated(
        "confirm",
        entry.email,
        {
            "full_name": entry.payload.get("full_name", ""),
            "confirm_url": registration.confirm_url(entry),
            "valid_days": registration.MAX_AGE.days,
            "known": known,
            # The recipient owns the address, so the link to its associate is theirs to have:
            # someone who never asked to join can use it to remove their details.
            "manage_url": (
                links.manage_url(associate)
                if associate is not None and associate.status != Associate.Status.ERASED
                else ""
            ),
        },
    )


def _send_to_active(associate_id: int, name: str) -> None:
    associate = Associate.objects.active().filter(pk=associate_id).first()
    if associate is None or not associate.email:
        return
    send_templated(
        name,
        associate.email,
        {
            "associate": associate,
            "communities": [
                m.cop.name
                for m in associate.memberships.filter(left__isnull=True).select_related("cop")
            ],
            "manage_url": links.manage_url(associate),
            "link_days": links.MAX_AGE.days,
        },
    )


@task()
def send_welcome(associate_id: int) -> None:
    """After confirmation: what they joined, and their link to manage it."""
    _send_to_active(associate_id, "welcome")


@task()
def send_manage_link(associate_id: int) -> None:
    """A fresh self-service link, asked for on the website."""
    _send_to_active(associate_id, "manage_link")


@task()
def purge_expired_registrations() -> int:
    """Delete registrations whose confirmation link expired unused."""
    return registration.purge_expired()
