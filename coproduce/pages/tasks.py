"""Background work for the public pages. Tasks take ids, never model instances."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task

from coproduce.pages.models import Enquiry

logger = logging.getLogger(__name__)


def _one_line(text: str) -> str:
    # The form refuses line breaks in a name, but rows saved before it did may hold them, and
    # a line break in a header makes send_mail raise BadHeaderError.
    return " ".join(text.split())


@task()
def notify_enquiry(enquiry_id: int) -> None:
    enquiry = Enquiry.objects.filter(pk=enquiry_id).first()
    if enquiry is None:
        return
    name = _one_line(enquiry.name)
    organisation = _one_line(enquiry.organisation)
    try:
        send_mail(
            subject=f"New enquiry from {name}",
            message=(
                f"{name} <{enquiry.email}>"
                f"{' (' + organisation + ')' if organisation else ''} wrote:\n\n"
                f"{enquiry.message}\n\nSee all enquiries: {settings.SITE_URL}/staff/enquiries/\n"
            ),
            from_email=None,
            recipient_list=[settings.ENQUIRIES_EMAIL],
        )
    except Exception:
        # Logged as an error (the worker's log, and `coproduce status` counts failed tasks)
        # and raised again, so the task is recorded as failed rather than lost.
        logger.exception("Could not email the team about enquiry %s", enquiry_id)
        raise
