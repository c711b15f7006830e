"""Public forms cannot be used to flood an inbox (issue 14, item 1).

Each anti-spam token works once; per-client and per-mailbox limits hold on every public form
that sends email or writes a row; the counts live in the database, so every process sees them;
over the limit the person is told why (429) and keeps what they typed.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse

from coproduce.comms.models import OutboxMessage
from coproduce.community.models import Associate, Registration
from coproduce.events import links as event_links
from coproduce.events.models import Booking
from coproduce.lib.identifiers import mailbox_key, validate_single_line
from coproduce.lib.spam import issue_form_token
from coproduce.pages.models import Enquiry
from coproduce.pages.tasks import notify_enquiry
from coproduce.priorities.models import (
    Ballot,
    Consultation,
    IndicativeQuestion,
    InterimSurvey,
    Response,
)
from coproduce.security import formlimits
from coproduce.security.clients import client_address
from coproduce.security.models import FormLimitCount, FormTokenUse
from tests.community.test_join import JOIN_URL, join_data, make_cops
from tests.events.conftest import book, booking_form, make_event

TOO_MANY = "has been sent too many times in a short while"
SPAM = "We could not accept this message"


def _token() -> str:
    return issue_form_token(time.time() - 10)


# --- One submitter per public form: (client, number, token, email) -> response ----------------


def _contact(client: Client, n: int, token: str, email: str) -> Any:
    return client.post(
        "/contact/",
        {
            "name": "Sam Carer",
            "email": email,
            "organisation": "",
            "message": f"Question number {n} about the stroke study",
            "website": "",
            "form_token": token,
        },
    )


def _join(client: Client, n: int, token: str, email: str) -> Any:
    return client.post(JOIN_URL, join_data(client, email=email, form_token=token, communities=None))


def _manage_link(client: Client, n: int, token: str, email: str) -> Any:
    return client.post("/associates/manage/", {"email": email, "website": "", "form_token": token})


class _Scene:
    """What the event, consultation and ballot forms need, made once per test."""

    def __init__(self) -> None:
        make_cops()
        self.event = make_event(capacity=None)
        self.consultation = Consultation.objects.create(
            slug="scoping",
            title="Scoping consultation",
            scope="What research should we do?",
            opens=dt.date(2008, 10, 1),
            closes=dt.date(2099, 11, 30),
            status=Consultation.Status.OPEN,
            open_link_enabled=True,
        )
        self.survey = InterimSurvey.objects.create(
            consultation=self.consultation, title="Interim", status="open", max_picks=1
        )
        self.iq = IndicativeQuestion.objects.create(consultation=self.consultation, text="Q")
        self.survey.questions.set([self.iq])


def _booking(scene: _Scene) -> Callable[..., Any]:
    def submit(client: Client, n: int, token: str, email: str) -> Any:
        return client.post(
            scene.event.get_absolute_url(), booking_form(email=email, form_token=token)
        )

    return submit


def _cancel(scene: _Scene) -> Callable[..., Any]:
    def submit(client: Client, n: int, token: str, email: str) -> Any:
        booking = book(scene.event, f"Person {n}", email)
        return client.post(reverse("events:booking", args=[event_links.make_token(booking)]))

    return submit


def _consultation(scene: _Scene) -> Callable[..., Any]:
    def submit(client: Client, n: int, token: str, email: str) -> Any:
        url = reverse("consultations:open", args=["scoping", scene.consultation.open_token])
        return client.post(url, {"group": "manager", "save": "1"})

    return submit


def _ballot(scene: _Scene) -> Callable[..., Any]:
    def submit(client: Client, n: int, token: str, email: str) -> Any:
        url = reverse("consultations:ballot", args=[scene.survey.open_token])
        return client.post(url, {"group": "clinician", f"iq_{scene.iq.pk}": "1"})

    return submit


def _rows(form: str) -> int:
    return {
        "contact": lambda: Enquiry.objects.count(),
        "join": lambda: Registration.objects.count(),
        "manage-link": lambda: 0,
        "booking": lambda: Booking.objects.count(),
        "cancel": lambda: Booking.objects.filter(status=Booking.Status.CANCELLED).count(),
        "consultation": lambda: Response.objects.count(),
        "ballot": lambda: Ballot.objects.count(),
    }[form]()


def _submitter(form: str, scene: _Scene) -> Callable[..., Any]:
    return {
        "contact": lambda: _contact,
        "join": lambda: _join,
        "manage-link": lambda: _manage_link,
        "booking": lambda: _booking(scene),
        "cancel": lambda: _cancel(scene),
        "consultation": lambda: _consultation(scene),
        "ballot": lambda: _ballot(scene),
    }[form]()


ALL_FORMS = ["contact", "join", "manage-link", "booking", "cancel", "consultation", "ballot"]
TOKEN_FORMS = ["contact", "join", "manage-link", "booking"]


@pytest.fixture
def scene(db: Any) -> _Scene:
    return _Scene()


# --- Tokens work once ---------------------------------------------------------------------


@pytest.mark.parametrize("form", TOKEN_FORMS)
def test_a_replayed_token_is_refused(
    form: str, scene: _Scene, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    submit = _submitter(form, scene)
    token = _token()
    assert submit(client, 1, token, "first@example.org").status_code == 302
    rows, mail = _rows(form), OutboxMessage.objects.count()
    with django_capture_on_commit_callbacks() as queued:
        replay = submit(client, 2, token, "victim@example.org")
    assert replay.status_code == 200
    assert SPAM in replay.content.decode()
    assert (_rows(form), OutboxMessage.objects.count(), len(queued)) == (rows, mail, 0)
    assert FormTokenUse.objects.count() == 1
    # The page carries a new token for the next try, and a new token is accepted.
    assert replay.context["form"]["form_token"].value() != token
    assert submit(client, 3, _token(), "first@example.org").status_code == 302


def test_a_token_that_is_not_ours_or_has_no_id_is_spam(db: Any, client: Client) -> None:
    from django.core import signing

    no_id = signing.dumps({"t": int(time.time()) - 10}, salt="coproduce.pages.contact")
    assert SPAM in _contact(client, 1, no_id, "a@example.org").content.decode()
    assert SPAM in _contact(client, 1, "forged", "a@example.org").content.decode()
    assert Enquiry.objects.count() == 0


# --- Limits on every form -------------------------------------------------------------------


@pytest.mark.parametrize("form", ALL_FORMS)
def test_every_public_form_has_a_per_client_limit(
    form: str, scene: _Scene, client: Client, settings: Any
) -> None:
    settings.COPRODUCE_FORM_LIMIT_PER_CLIENT = 2
    submit = _submitter(form, scene)
    for n in (1, 2):
        assert submit(client, n, _token(), f"person{n}@example.org").status_code == 302
    rows = _rows(form)
    refused = submit(client, 3, _token(), "person3@example.org")
    assert refused.status_code == 429
    assert TOO_MANY in refused.content.decode()
    assert _rows(form) == rows
    other = Client(REMOTE_ADDR="192.0.2.77")
    assert submit(other, 4, _token(), "person4@example.org").status_code == 302


@pytest.mark.parametrize("form", ["contact", "join", "manage-link", "booking", "cancel"])
def test_forms_that_name_an_address_have_a_per_mailbox_limit(
    form: str, scene: _Scene, settings: Any
) -> None:
    settings.COPRODUCE_FORM_LIMIT_PER_ADDRESS = 2
    submit = _submitter(form, scene)
    # Different clients each time: only the mailbox is the same.
    first = submit(Client(REMOTE_ADDR="192.0.2.1"), 1, _token(), "jo@example.org")
    second = submit(Client(REMOTE_ADDR="192.0.2.2"), 2, _token(), "Jo+News@Example.ORG")
    assert (first.status_code, second.status_code) == (302, 302)
    refused = submit(Client(REMOTE_ADDR="192.0.2.3"), 3, _token(), "JO+other@example.org")
    assert refused.status_code == 429
    assert TOO_MANY in refused.content.decode()
    another = submit(Client(REMOTE_ADDR="192.0.2.4"), 4, _token(), "jo.2@example.org")
    assert another.status_code == 302


def test_the_mailbox_budget_is_shared_by_all_public_forms(
    scene: _Scene, client: Client, settings: Any
) -> None:
    settings.COPRODUCE_FORM_LIMIT_PER_ADDRESS = 2
    assert _manage_link(client, 1, _token(), "jo@example.org").status_code == 302
    assert _join(client, 2, _token(), "jo+x@example.org").status_code == 302
    assert _contact(client, 3, _token(), "JO@example.org").status_code == 429


def test_over_the_limit_the_page_says_why_and_keeps_the_input(
    db: Any, client: Client, settings: Any
) -> None:
    settings.COPRODUCE_FORM_LIMIT_PER_CLIENT = 1
    assert _contact(client, 1, _token(), "a@example.org").status_code == 302
    page = _contact(client, 2, _token(), "Sam.Carer@example.org")
    html = page.content.decode()
    assert page.status_code == 429
    assert "There is a problem" in html
    assert "<title>Error: Contact us" in html
    assert TOO_MANY in html
    assert "send it again after" in html
    assert settings.ENQUIRIES_EMAIL in html
    assert "Question number 2 about the stroke study" in html
    assert 'value="Sam.Carer@example.org"' in html
    assert page.context["form"]["form_token"].value()  # a new token to send it again with


def test_the_join_page_over_the_limit_keeps_the_answers(
    scene: _Scene, client: Client, settings: Any
) -> None:
    settings.COPRODUCE_FORM_LIMIT_PER_CLIENT = 1
    assert _join(client, 1, _token(), "a@example.org").status_code == 302
    page = _join(client, 2, _token(), "b@example.org")
    assert page.status_code == 429
    html = page.content.decode()
    assert TOO_MANY in html
    assert 'value="b@example.org"' in html
    assert 'value="Sam Carer"' in html


def test_a_refused_cancellation_says_why_and_keeps_the_booking(
    scene: _Scene, client: Client, settings: Any
) -> None:
    settings.COPRODUCE_FORM_LIMIT_PER_ADDRESS = 1
    booking = book(scene.event, "Jo Bloggs", "jo@example.org")
    url = reverse("events:booking", args=[event_links.make_token(booking)])
    formlimits.admit(RequestFactory().post("/"), "join", addresses=["jo@example.org"])
    page = client.post(url)
    assert page.status_code == 429
    assert TOO_MANY in page.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_the_limit_ends_with_its_window(db: Any, settings: Any) -> None:
    settings.COPRODUCE_FORM_LIMIT_PER_CLIENT = 1
    settings.COPRODUCE_FORM_WINDOW_MINUTES = 60
    request = RequestFactory().post("/")
    start = 3600 * 1_000_000
    assert formlimits.admit(request, "contact", now=start) is None
    refusal = formlimits.admit(request, "contact", now=start + 3599)
    assert refusal is not None
    assert refusal.status == 429
    assert formlimits.admit(request, "contact", now=start + 3600) is None


# serialized_rollback: the flush after it must keep the rows data migrations made for later tests.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_counts_hold_no_address_and_are_seen_from_another_connection(settings: Any) -> None:
    """Two database connections (a thread has its own): the second sees the first's count."""
    settings.COPRODUCE_FORM_LIMIT_PER_ADDRESS = 2
    request = RequestFactory().post("/", REMOTE_ADDR="198.51.100.7")
    results: list[Any] = []

    def elsewhere() -> None:
        from django.db import connections

        try:
            for _ in range(2):
                results.append(
                    formlimits.admit(request, "manage-link", addresses=["jo@example.org"])
                )
        finally:
            connections.close_all()

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    assert results == [None, None]
    refused = formlimits.admit(request, "manage-link", addresses=["Jo+x@example.org"])
    assert refused is not None
    assert refused.status == 429
    stored = list(FormLimitCount.objects.values_list("bucket", "hits"))
    assert sorted(hits for _, hits in stored) == [3, 3]
    assert not any("jo" in bucket or "198.51" in bucket for bucket, _ in stored)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_racing_submissions_never_pass_the_limit(settings: Any) -> None:
    """Twelve submissions at the same moment, each on its own connection, against a limit of 3."""
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: run with DATABASE_URL set to PostgreSQL")
    settings.COPRODUCE_FORM_LIMIT_PER_CLIENT = 3
    start = threading.Barrier(12)
    results: list[Any] = []

    def attempt() -> None:
        from django.db import connections

        try:
            start.wait()
            results.append(formlimits.admit(RequestFactory().post("/"), "contact"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(result is None for result in results) == 3


# --- Same mailbox, client address -----------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("Jo.Bloggs@Example.org", "jo.bloggs@example.org"),
        ("jo.bloggs+events@example.org", "jo.bloggs@example.org"),
        ("J.o.Bloggs+x@GMail.com", "jobloggs@gmail.com"),
        ("jobloggs@googlemail.com", "jobloggs@gmail.com"),
        ("j.o.bloggs@nhs.net", "j.o.bloggs@nhs.net"),  # dots count outside Gmail
        ("jo@example.org.", "jo@example.org"),
    ],
)
def test_addresses_that_reach_one_mailbox_have_one_key(address: str, key: str) -> None:
    assert mailbox_key(address) == key


def test_the_client_address_is_the_connections_unless_a_proxy_header_is_trusted(
    settings: Any,
) -> None:
    factory = RequestFactory()
    forged = factory.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.9")
    settings.COPRODUCE_TRUSTED_PROXY_HEADER = ""
    assert client_address(forged) == "10.0.0.5"
    settings.COPRODUCE_TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    chain = factory.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    assert client_address(chain) == "203.0.113.9"  # the entry our proxy added
    assert client_address(factory.get("/", REMOTE_ADDR="10.0.0.5")) == "10.0.0.5"
    settings.COPRODUCE_TRUSTED_PROXY_HEADER = "X-Real-IP"
    assert client_address(factory.get("/", HTTP_X_REAL_IP="203.0.113.10")) == "203.0.113.10"


def test_behind_a_trusted_proxy_clients_are_limited_one_by_one(
    db: Any, settings: Any, client: Client
) -> None:
    settings.COPRODUCE_FORM_LIMIT_PER_CLIENT = 1
    settings.COPRODUCE_TRUSTED_PROXY_HEADER = "X-Forwarded-For"

    def post(forwarded: str, n: int) -> int:
        data = {
            "name": "Sam",
            "email": f"p{n}@example.org",
            "organisation": "",
            "message": "Hello",
            "website": "",
            "form_token": _token(),
        }
        response = client.post("/contact/", data, HTTP_X_FORWARDED_FOR=forwarded)
        return int(response.status_code)

    assert post("203.0.113.1", 1) == 302
    assert post("203.0.113.1", 2) == 429
    assert post("203.0.113.2", 3) == 302


# --- HEAD, one-line names, the enquiry task ---------------------------------------------------


def test_public_form_pages_answer_head_like_get(scene: _Scene, client: Client) -> None:
    booking = book(scene.event, "Jo Bloggs", "jo@example.org")
    urls = [
        "/contact/",
        JOIN_URL,
        "/associates/manage/",
        scene.event.get_absolute_url(),
        reverse("events:booking", args=[event_links.make_token(booking)]),
        reverse("consultations:open", args=["scoping", scene.consultation.open_token]),
        reverse("consultations:ballot", args=[scene.survey.open_token]),
    ]
    for url in urls:
        response = client.head(url)
        assert response.status_code == 200, url
        assert response.content == b"", url


def test_a_name_on_two_lines_is_refused_at_the_form(db: Any, client: Client) -> None:
    page = client.post(
        "/contact/",
        {
            "name": "Sam\nBcc: victim@example.org",
            "email": "sam@example.org",
            "organisation": "",
            "message": "Hello",
            "website": "",
            "form_token": _token(),
        },
    )
    assert page.status_code == 200
    assert "Enter this on one line" in page.content.decode()
    assert Enquiry.objects.count() == 0


@pytest.mark.parametrize("value", ["a\nb", "a\rb", "a\tb", "a\x00b", "a\u2028b", "a\x1bb"])
def test_control_characters_are_not_one_line(value: str) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_single_line(value)
    validate_single_line("Siân O'Brien-Ng 李")


def test_join_and_booking_names_must_be_one_line(scene: _Scene, client: Client) -> None:
    page = client.post(JOIN_URL, join_data(client, full_name="Sam\r\nCarer", communities=None))
    assert "Enter this on one line" in page.content.decode()
    page = client.post(scene.event.get_absolute_url(), booking_form(full_name="Alex\x00Booker"))
    assert "Enter this on one line" in page.content.decode()
    assert not Associate.objects.exists()
    assert not Booking.objects.exists()


def test_an_old_enquiry_with_a_line_break_in_its_name_is_still_sent(
    db: Any, smtp_server: Any
) -> None:
    enquiry = Enquiry.objects.create(
        name="Sam\nCarer", email="sam@example.org", message="Hello", organisation="A\r\nB"
    )
    notify_enquiry.enqueue(enquiry.pk)
    call_command("worker", "--batch", verbosity=0)
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0]["message"]["Subject"] == "New enquiry from Sam Carer"


def test_a_failed_enquiry_email_is_logged_and_fails_the_task(
    db: Any, monkeypatch: Any, caplog: Any
) -> None:
    import smtplib

    from coproduce.pages import tasks

    enquiry = Enquiry.objects.create(name="Sam", email="sam@example.org", message="Hello")

    def refuse(**kwargs: Any) -> None:
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr(tasks, "send_mail", refuse)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        tasks.notify_enquiry.func(enquiry.pk)
    assert f"Could not email the team about enquiry {enquiry.pk}" in caplog.text
    assert any(record.levelname == "ERROR" for record in caplog.records)


def test_the_join_forms_waiting_links_are_capped_per_mailbox_not_per_spelling(
    scene: _Scene, client: Client, settings: Any
) -> None:
    from coproduce.community import registration

    settings.COPRODUCE_FORM_LIMIT_PER_ADDRESS = 100  # only the join form's own cap is tested
    spellings = ["jo@gmail.com", "Jo+1@gmail.com", "j.o+2@googlemail.com", "J.O@GMail.com"]
    spellings += ["jo+3@gmail.com", "jo+4@googlemail.com", "j.o.+5@gmail.com"]
    for n, email in enumerate(spellings):
        assert _join(client, n, _token(), email).status_code == 302
    assert Registration.objects.count() == registration.MAX_WAITING_PER_ADDRESS
    assert _join(client, 99, _token(), "jo2@gmail.com").status_code == 302
    assert Registration.objects.filter(email="jo2@gmail.com").count() == 1


@pytest.mark.parametrize(
    ("address", "same", "other"),
    [
        ("Jo+x@Example.org", ["jo@example.org", "jo+a+b@example.org"], ["jo2@example.org", "xjo@example.org", "jo@example.org.uk", "j.o@example.org"]),
        ("j.o@googlemail.com", ["jo@gmail.com", "j.o+x@gmail.com", "jo@googlemail.com"], ["jo2@gmail.com", "jo@gmail.co", "ojo@gmail.com"]),
    ],
)  # fmt: skip
def test_the_mailbox_pattern_finds_every_spelling_and_no_other(
    address: str, same: list[str], other: list[str]
) -> None:
    import re

    from coproduce.lib.identifiers import mailbox_pattern

    pattern = re.compile(mailbox_pattern(address))
    assert all(pattern.search(email) for email in same), same
    assert not any(pattern.search(email) for email in other), other
