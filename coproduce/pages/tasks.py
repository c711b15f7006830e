"""Background work for the public pages. Tasks take ids, never model instances."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task

from coproduce.pages.models import Enquiry


@task()
def notify_enquiry(enquiry_id: int) -> None:
    enquiry = Enquiry.objects.filter(pk=enquiry_id).first()
    if enquiry is None:
        return
    send_mail(
        subject=f"New enquiry from {enquiry.name}",
        message=(
            f"{enquiry.name} <{enquiry.email}>"
            f"{' (' + enquiry.organisation + ')' if enquiry.organisation else ''} wrote:\n\n"
            f"{enquiry.message}\n\nSee all enquiries: {settings.SITE_URL}/staff/enquiries/\n"
        ),
        from_email=None,
        recipient_list=[settings.ENQUIRIES_EMAIL],
    )
