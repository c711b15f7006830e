"""The public contact form: stored, sent to the enquiries address, and hard for bots."""

from __future__ import annotations

import time
from typing import Any

from django.core.management import call_command
from django.test import Client

from coproduce.lib.spam import issue_form_token
from coproduce.pages.models import Enquiry

GOOD = {
    "name": "Sam Carer",
    "email": "  Sam.Carer@Example.org ",
    "organisation": "Carers Together",
    "message": "How can I join the stroke study's community of practice?",
}


def _post(client: Client, **overrides: str) -> Any:
    data = {**GOOD, "form_token": issue_form_token(time.time() - 10), "website": ""}
    data.update(overrides)
    return client.post("/contact/", data)


def test_it_shows_the_form_with_labelled_fields(client: Client, db: Any) -> None:
    response = client.get("/contact/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label class="nhsuk-label" for="id_email">Email address</label>' in html
    assert "Organisation (optional)" in html
    assert 'name="form_token"' in html


def test_it_stores_the_enquiry_and_emails_the_team_over_smtp(
    client: Client,
    db: Any,
    smtp_server: Any,
    django_capture_on_commit_callbacks: Any,
    settings: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client)
    assert response.status_code == 302
    assert response["Location"] == "/contact/thanks/"
    enquiry = Enquiry.objects.get()
    assert enquiry.email == "sam.carer@example.org"
    assert enquiry.status == Enquiry.Status.NEW

    call_command("worker", "--batch", verbosity=0)

    assert len(smtp_server.messages) == 1
    sent = smtp_server.messages[0]
    assert sent["rcpt_tos"] == [settings.ENQUIRIES_EMAIL]
    assert sent["message"]["Subject"] == "New enquiry from Sam Carer"
    assert "community of practice" in sent["message"].get_content()


def test_missing_fields_get_nhs_style_errors_and_keep_what_was_typed(
    client: Client, db: Any
) -> None:
    response = _post(client, name="", message="")
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert '<a href="#id_name">This field is required.</a>' in html
    assert "nhsuk-form-group--error" in html
    assert "<title>Error: Contact us" in html
    assert 'value="Carers Together"' in html
    assert Enquiry.objects.count() == 0


def test_a_filled_honeypot_is_refused_without_saying_why(client: Client, db: Any) -> None:
    response = _post(client, website="http://spam.example")
    assert response.status_code == 200
    assert "We could not accept this message" in response.content.decode()
    assert Enquiry.objects.count() == 0


def test_a_form_posted_at_once_is_refused(client: Client, db: Any) -> None:
    response = _post(client, form_token=issue_form_token(time.time()))
    assert "We could not accept this message" in response.content.decode()
    assert Enquiry.objects.count() == 0


def test_a_forged_or_stale_token_is_refused(client: Client, db: Any) -> None:
    assert "We could not accept" in _post(client, form_token="forged").content.decode()
    stale = issue_form_token(time.time() - 2 * 24 * 3600)
    assert "We could not accept" in _post(client, form_token=stale).content.decode()
    assert Enquiry.objects.count() == 0


def test_a_refused_form_gets_a_fresh_token_so_a_person_can_resend(client: Client, db: Any) -> None:
    response = _post(client, name="")
    token = response.context["form"].data["form_token"]
    assert token != ""
    assert response.context["form"].data["name"] == ""
