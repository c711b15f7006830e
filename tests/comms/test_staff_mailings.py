"""Staff mailing pages: compose with a live preview, test to yourself, confirm the audience,
send, schedule, pause and resume, and watch the progress."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coproduce.audit.models import AuditEntry
from coproduce.comms.models import Mailing, OutboxMessage
from coproduce.comms.outbox import dispatch_due
from coproduce.community.models import Associate
from tests import factories
from tests.community import helpers

LONDON = ZoneInfo("Europe/London")


def make_mailing(**fields: Any) -> Mailing:
    fields.setdefault("kind", Mailing.Kind.ENGAGE)
    fields.setdefault("channel", "engage")
    fields.setdefault("subject", "Engage: spring 2026")
    fields.setdefault("body", "## What is new\n\nOur *return to work* study has reported.")
    fields.setdefault("slug", f"engage-{Mailing.objects.count() + 1}-abc123")
    cops = fields.pop("cops", [])
    themes = fields.pop("themes", [])
    made = Mailing.objects.create(**fields)
    made.cops.set(cops)
    made.themes.set(themes)
    return made


def url(name: str, mailing: Mailing | None = None) -> str:
    return reverse(f"comms_staff:{name}", args=[mailing.public_id] if mailing else [])


def compose_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "engage",
        "subject": "Engage: autumn 2026",
        "summary": "What our communities did this autumn.",
        "body": "## Highlights\n\nThe *home visits* study has started.",
        "action": "save",
    }
    data.update(overrides)
    return data


@pytest.fixture
def crowd(db: Any) -> dict[str, Any]:
    rtw = helpers.community("return-to-work")
    home = helpers.community("home-visits")
    stroke = helpers.theme("stroke")
    return {
        "rtw": rtw,
        "home": home,
        "stroke": stroke,
        # Engage, in return-to-work, clinician.
        "ada": helpers.associate(full_name="Ada Lovelace", consents={"engage": True}, cops=[rtw]),
        # Engage and briefing, in home-visits, carer.
        "bea": helpers.associate(
            full_name="Bea Smith",
            consents={"engage": True, "briefing": True},
            cops=[home],
            role=Associate.Role.CARER,
        ),
        # Engage, interested in stroke, no community.
        "cal": helpers.associate(
            full_name="Cal Jones", consents={"engage": True}, interests=[stroke]
        ),
        # No consent to Engage, in return-to-work.
        "dan": helpers.associate(full_name="Dan No", consents={"engage": False}, cops=[rtw]),
        # Carer in return-to-work, with engage consent.
        "fay": helpers.associate(
            full_name="Fay Carer",
            consents={"engage": True},
            cops=[rtw],
            role=Associate.Role.CARER,
        ),
    }


# --- access --------------------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_sign_in(client: Client, db: Any) -> None:
    mailing = make_mailing()
    for address in (url("list"), url("create"), url("detail", mailing), url("confirm", mailing)):
        response = client.get(address)
        assert response.status_code == 302, address
        assert "/staff/sign-in/" in response["Location"]


def test_readers_can_look_but_not_compose_or_send(reader_client: Client, db: Any) -> None:
    mailing = make_mailing()
    assert reader_client.get(url("list")).status_code == 200
    assert reader_client.get(url("detail", mailing)).status_code == 200
    assert reader_client.get(url("progress", mailing)).status_code == 200
    assert reader_client.get(url("create")).status_code == 403
    assert reader_client.post(url("create"), compose_data()).status_code == 403
    assert reader_client.get(url("edit", mailing)).status_code == 403
    assert reader_client.get(url("confirm", mailing)).status_code == 403
    assert reader_client.post(url("confirm", mailing)).status_code == 403
    assert reader_client.post(url("test", mailing)).status_code == 403
    assert reader_client.post(url("preview"), compose_data()).status_code == 403
    assert reader_client.post(url("pause", mailing)).status_code == 403
    assert reader_client.post(url("schedule", mailing), {}).status_code == 403
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DRAFT
    assert not OutboxMessage.objects.exists()
    # The list offers readers no button to write one.
    assert "Write a new mailing" not in reader_client.get(url("list")).content.decode()


def test_the_staff_menu_links_to_mailings(manager_client: Client, db: Any) -> None:
    page = manager_client.get(reverse("staff:home")).content.decode()
    assert f'href="{url("list")}"' in page


def test_mutations_refuse_get(manager_client: Client, db: Any) -> None:
    mailing = make_mailing(status=Mailing.Status.SENDING)
    for name in ("test", "unschedule", "pause", "resume"):
        assert manager_client.get(url(name, mailing)).status_code == 405, name
    assert manager_client.get(url("preview")).status_code == 405
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENDING
    assert not OutboxMessage.objects.exists()


# --- compose ---------------------------------------------------------------------------------------


def test_an_empty_form_shows_nhs_errors(manager_client: Client, db: Any) -> None:
    response = manager_client.post(url("create"), {"action": "save"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "nhsuk-error-summary" in page
    for message in ("Choose the kind of mailing", "Enter a subject", "Enter the message"):
        assert message in page
    assert 'href="#id_kind_0"' in page  # the summary links to the first radio
    assert "nhsuk-form-group--error" in page
    assert not Mailing.objects.exists()


def test_an_announcement_needs_a_channel(manager_client: Client, db: Any) -> None:
    response = manager_client.post(url("create"), compose_data(kind="announcement"))
    assert response.status_code == 400
    assert "Choose who should receive the announcement" in response.content.decode()
    response = manager_client.post(
        url("create"), compose_data(kind="announcement", channel="briefing")
    )
    assert response.status_code == 302
    assert Mailing.objects.get().channel == "briefing"


def test_creating_a_mailing_sets_channel_slug_audience_and_audit(
    manager_client: Client, crowd: dict[str, Any], manager: Any
) -> None:
    response = manager_client.post(
        url("create"),
        compose_data(
            kind="briefing",
            channel="events",  # ignored: a briefing goes to the briefing's channel
            cops=[crowd["rtw"].pk],
            themes=[crowd["stroke"].pk],
            roles=["carer", "clinician"],
        ),
    )
    assert response.status_code == 302
    mailing = Mailing.objects.get()
    assert response["Location"] == url("detail", mailing)
    assert mailing.channel == "briefing"
    assert mailing.status == Mailing.Status.DRAFT
    assert mailing.slug
    assert mailing.slug.startswith("engage-autumn-2026-")
    assert list(mailing.cops.all()) == [crowd["rtw"]]
    assert list(mailing.themes.all()) == [crowd["stroke"]]
    assert mailing.roles == ["carer", "clinician"]
    assert mailing.created_by == manager
    entry = AuditEntry.objects.get(action="comms.mailing.created")
    assert entry.object_id == str(mailing.pk)
    assert entry.changes["subject"] == [None, "Engage: autumn 2026"]


def test_slugs_stay_unique_for_the_same_subject(manager_client: Client, db: Any) -> None:
    manager_client.post(url("create"), compose_data())
    manager_client.post(url("create"), compose_data())
    slugs = set(Mailing.objects.values_list("slug", flat=True))
    assert len(slugs) == 2


def test_editing_a_draft_records_changes_and_keeps_the_slug(
    manager_client: Client, db: Any
) -> None:
    mailing = make_mailing()
    slug = mailing.slug
    page = manager_client.get(url("edit", mailing)).content.decode()
    assert "Engage: spring 2026" in page
    response = manager_client.post(url("edit", mailing), compose_data(subject="New subject"))
    assert response.status_code == 302
    mailing.refresh_from_db()
    assert mailing.subject == "New subject"
    assert mailing.slug == slug
    entry = AuditEntry.objects.get(action="comms.mailing.updated")
    assert entry.changes["subject"] == ["Engage: spring 2026", "New subject"]


def test_a_mailing_being_sent_cannot_be_edited(manager_client: Client, db: Any) -> None:
    mailing = make_mailing(status=Mailing.Status.SENDING)
    response = manager_client.get(url("edit", mailing))
    assert response.status_code == 302
    assert response["Location"] == url("detail", mailing)
    response = manager_client.post(url("edit", mailing), compose_data(subject="Changed"))
    assert response.status_code == 302
    mailing.refresh_from_db()
    assert mailing.subject == "Engage: spring 2026"
    assert not AuditEntry.objects.filter(action="comms.mailing.updated").exists()


# --- preview -------------------------------------------------------------------------------------


def test_the_htmx_preview_shows_the_html_and_the_text(manager_client: Client, db: Any) -> None:
    response = manager_client.post(
        url("preview"),
        compose_data(body="## Highlights\n\nA *new* study. <script>alert(1)</script>"),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" not in page.split("srcdoc=")[0], "a partial, not a whole page"
    assert "<iframe" in page
    assert 'sandbox=""' in page
    assert "title=" in page
    srcdoc = html.unescape(page.split('srcdoc="')[1].split('"></iframe>')[0])
    assert "<h2>Highlights</h2>" in srcdoc
    assert "<em>new</em>" in srcdoc
    assert "Dear Alex," in srcdoc
    assert "<script>" not in srcdoc, "raw HTML in Markdown must be escaped"
    assert "Engage newsletter" in srcdoc
    text = html.unescape(page.split("<pre")[1].split("</pre>")[0])
    assert "## Highlights" in text
    assert "Dear Alex," in text
    assert not Mailing.objects.exists()


def test_the_preview_button_works_without_javascript(manager_client: Client, db: Any) -> None:
    response = manager_client.post(url("create"), compose_data(action="preview", subject=""))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<form" in page
    assert "srcdoc=" in page
    assert "nhsuk-error-summary" not in page, "previewing is not saving: no errors yet"
    assert "What our communities did this autumn." in page, "what was typed stays in the form"
    assert not Mailing.objects.exists()
    # The compose page wires up the live preview too.
    page = manager_client.get(url("create")).content.decode()
    assert f'hx-post="{url("preview")}"' in page
    assert "hx-trigger=" in page
    assert "delay:" in page


# --- test to yourself ------------------------------------------------------------------------------


def test_a_test_reaches_the_sender(manager_client: Client, manager: Any, smtp_server: Any) -> None:
    mailing = make_mailing()
    response = manager_client.post(url("test", mailing))
    assert response.status_code == 302
    dispatch_due()
    assert len(smtp_server.messages) == 1
    delivered = smtp_server.messages[0]
    assert delivered["rcpt_tos"] == [manager.email]
    message = delivered["message"]
    assert message["Subject"] == "[Test] Engage: spring 2026"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "What is new" in text
    rendered = message.get_body(preferencelist=("html",)).get_content()
    assert "<h2>What is new</h2>" in rendered
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DRAFT, "a test sends nothing to associates"


def test_no_test_without_an_email_address(db: Any) -> None:
    user = factories.UserFactory(username="nomail", email="", groups=["manager"])
    client = Client()
    client.force_login(user)
    mailing = make_mailing()
    response = client.post(url("test", mailing), follow=True)
    assert "Your account has no email address" in response.content.decode()
    assert not OutboxMessage.objects.exists()


# --- confirm and send ------------------------------------------------------------------------------


def test_the_confirmation_counts_only_consenting_matching_people(
    manager_client: Client, crowd: dict[str, Any]
) -> None:
    everyone = make_mailing()
    page = manager_client.get(url("confirm", everyone)).content.decode()
    # ada, bea, cal and fay agreed to Engage; dan did not.
    assert "This will send to <strong>4 people</strong> who agreed to receive the Engage" in page

    cop_and_role = make_mailing(cops=[crowd["rtw"]], roles=["clinician"])
    page = manager_client.get(url("confirm", cop_and_role)).content.decode()
    assert "<strong>1 person</strong>" in page  # ada; dan has no consent, fay is a carer

    briefing = make_mailing(kind=Mailing.Kind.BRIEFING, channel="briefing")
    page = manager_client.get(url("confirm", briefing)).content.decode()
    assert "<strong>1 person</strong> who agreed to receive the monthly briefing" in page

    by_theme = make_mailing(themes=[crowd["stroke"]], cops=[crowd["home"]])
    page = manager_client.get(url("confirm", by_theme)).content.decode()
    assert "<strong>2 people</strong>" in page  # cal (theme) or bea (community)

    nobody = make_mailing(kind=Mailing.Kind.EVENT_INVITATION, channel="events")
    page = manager_client.get(url("confirm", nobody)).content.decode()
    assert "Nobody who agreed to receive invitations to events" in page
    assert manager_client.post(url("confirm", nobody)).status_code == 302
    nobody.refresh_from_db()
    assert nobody.status == Mailing.Status.DRAFT


def test_sending_queues_one_row_per_recipient_and_delivers(
    manager_client: Client, crowd: dict[str, Any], smtp_server: Any
) -> None:
    mailing = make_mailing(cops=[crowd["rtw"]])
    response = manager_client.post(url("confirm", mailing), follow=True)
    assert "Sending “Engage: spring 2026” to 2 people." in response.content.decode()
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENDING
    assert mailing.recipient_count == 2
    assert sorted(OutboxMessage.objects.values_list("to_email", flat=True)) == sorted(
        [crowd["ada"].email, crowd["fay"].email]
    )
    # Sending again does nothing more.
    manager_client.post(url("confirm", mailing))
    assert OutboxMessage.objects.count() == 2

    dispatch_due()
    assert sorted(r for m in smtp_server.messages for r in m["rcpt_tos"]) == sorted(
        [crowd["ada"].email, crowd["fay"].email]
    )
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT
    page = manager_client.get(url("detail", mailing)).content.decode()
    assert reverse("news:detail", args=[mailing.slug]) in page


# --- schedule --------------------------------------------------------------------------------------


def test_scheduling_needs_a_real_future_time(manager_client: Client, crowd: dict[str, Any]) -> None:
    mailing = make_mailing()
    page = manager_client.get(url("schedule", mailing)).content.decode()
    assert "This will send to <strong>4 people</strong>" in page

    response = manager_client.post(url("schedule", mailing), {"date": "", "time": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter the date to send it" in page
    assert "Enter the time to send it" in page

    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = manager_client.post(
        url("schedule", mailing), {"date": yesterday.isoformat(), "time": "09:00"}
    )
    assert response.status_code == 400
    assert "The date and time must be in the future" in response.content.decode()

    # 01:30 on 30 March 2031 does not exist in London: the clocks go from 01:00 to 02:00.
    response = manager_client.post(
        url("schedule", mailing), {"date": "2031-03-30", "time": "01:30"}
    )
    assert response.status_code == 400
    assert "clocks go forward" in response.content.decode()

    response = manager_client.post(url("schedule", mailing), {"date": "2031-13-01", "time": "9"})
    assert response.status_code == 400
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DRAFT
    assert mailing.scheduled_for is None


def test_scheduling_in_uk_summer_time_and_cancelling(
    manager_client: Client, crowd: dict[str, Any]
) -> None:
    mailing = make_mailing()
    response = manager_client.post(
        url("schedule", mailing), {"date": "2031-07-01", "time": "09:30"}
    )
    assert response.status_code == 302
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SCHEDULED
    assert mailing.scheduled_for == dt.datetime(2031, 7, 1, 8, 30, tzinfo=dt.UTC)
    assert AuditEntry.objects.filter(action="comms.mailing.scheduled").exists()
    page = manager_client.get(url("detail", mailing)).content.decode()
    assert "Sends on 1 July 2031 at 09:30" in page
    # A scheduled mailing can still be edited.
    assert manager_client.get(url("edit", mailing)).status_code == 200

    response = manager_client.post(url("unschedule", mailing))
    assert response.status_code == 302
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DRAFT
    assert mailing.scheduled_for is None
    assert AuditEntry.objects.filter(action="comms.mailing.unscheduled").exists()
    assert not OutboxMessage.objects.exists()


def test_the_scheduler_starts_a_scheduled_mailing(
    manager_client: Client, crowd: dict[str, Any]
) -> None:
    from coproduce.comms.scheduler import start_scheduled_mailings

    mailing = make_mailing()
    soon = (timezone.now() + dt.timedelta(minutes=5)).astimezone(LONDON)
    manager_client.post(
        url("schedule", mailing), {"date": soon.date().isoformat(), "time": soon.strftime("%H:%M")}
    )
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SCHEDULED
    Mailing.objects.filter(pk=mailing.pk).update(
        scheduled_for=timezone.now() - dt.timedelta(seconds=1)
    )
    assert start_scheduled_mailings() == 1
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENDING
    assert OutboxMessage.objects.filter(mailing=mailing).count() == 4


# --- pause, resume, progress -----------------------------------------------------------------------


def test_pause_and_resume(manager_client: Client, crowd: dict[str, Any], smtp_server: Any) -> None:
    mailing = make_mailing()
    manager_client.post(url("confirm", mailing))
    page = manager_client.get(url("detail", mailing)).content.decode()
    assert "Pause sending" in page

    assert manager_client.post(url("pause", mailing)).status_code == 302
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.PAUSED
    dispatch_due()
    assert smtp_server.messages == [], "nothing is sent while paused"
    assert "Resume sending" in manager_client.get(url("detail", mailing)).content.decode()

    assert manager_client.post(url("resume", mailing)).status_code == 302
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENDING
    dispatch_due()
    assert len(smtp_server.messages) == 4


def test_the_progress_partial_polls_while_sending(
    manager_client: Client, crowd: dict[str, Any], smtp_server: Any
) -> None:
    mailing = make_mailing()
    manager_client.post(url("confirm", mailing))
    page = manager_client.get(url("progress", mailing)).content.decode()
    assert "<html" not in page
    assert 'hx-trigger="every 2s"' in page
    assert f'hx-get="{url("progress", mailing)}"' in page
    assert "0% done" in page
    assert '<caption class="nhsuk-table__caption' in page
    detail = manager_client.get(url("detail", mailing)).content.decode()
    assert 'id="mailing-progress"' in detail
    assert 'hx-trigger="every 2s"' in detail

    dispatch_due()
    page = manager_client.get(url("progress", mailing)).content.decode()
    assert "hx-trigger" not in page, "polling stops once sent"
    assert "100% done, finished" in page
    assert ">4</td>" in page


def test_failed_rows_are_listed_with_their_reasons(
    manager_client: Client, crowd: dict[str, Any]
) -> None:
    mailing = make_mailing()
    manager_client.post(url("confirm", mailing))
    row = OutboxMessage.objects.filter(mailing=mailing).first()
    assert row is not None
    OutboxMessage.objects.filter(pk=row.pk).update(
        status=OutboxMessage.Status.FAILED, last_error="550 5.1.1 No such mailbox", attempts=1
    )
    page = manager_client.get(url("detail", mailing)).content.decode()
    assert "550 5.1.1 No such mailbox" in page
    assert row.to_email in page
    assert "Messages that failed" in page


# --- list ------------------------------------------------------------------------------------------


def test_the_list_filters_by_status(manager_client: Client, db: Any) -> None:
    make_mailing(subject="A draft one")
    make_mailing(subject="A sent one", status=Mailing.Status.SENT)
    page = manager_client.get(url("list")).content.decode()
    assert "A draft one" in page
    assert "A sent one" in page
    page = manager_client.get(url("list") + "?status=sent").content.decode()
    assert "A sent one" in page
    assert "A draft one" not in page
    # Nonsense is ignored, not an error.
    assert manager_client.get(url("list") + "?status=nonsense").status_code == 200


def test_the_list_query_count_does_not_grow_with_rows(
    manager_client: Client, manager: Any, db: Any
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert manager_client.get(url("list")).status_code == 200
        return len(captured)

    for number in range(2):
        make_mailing(subject=f"Mailing {number}", created_by=manager)
    few = queries()
    for number in range(2, 30):
        make_mailing(
            subject=f"Mailing {number}",
            created_by=factories.UserFactory(),
            status=Mailing.Status.SENT,
        )
    assert queries() == few


def test_an_event_invitation_names_its_event_and_links_to_booking(
    manager_client: Any, smtp_server: Any
) -> None:
    import datetime as dt

    from django.utils import timezone

    from coproduce.comms import outbox
    from coproduce.comms.models import Mailing
    from coproduce.events.models import Event
    from tests.community import helpers

    starts = timezone.now() + dt.timedelta(days=20)
    event = Event.objects.create(
        slug="annual-conference",
        kind=Event.Kind.CONFERENCE,
        title="Annual conference",
        starts=starts,
        ends=starts + dt.timedelta(hours=6),
        venue="East Midlands Conference Centre",
    )
    helpers.associate(full_name="Ada Lovelace", consents={"events": True})
    data = {"kind": "event_invitation", "subject": "Join us", "body": "Come along."}
    refused = manager_client.post("/staff/mailings/new/", data)
    assert refused.status_code == 400
    assert "Choose the event you are inviting people to" in refused.content.decode()
    made = manager_client.post("/staff/mailings/new/", {**data, "event": event.pk})
    assert made.status_code == 302
    mailing = Mailing.objects.get(subject="Join us")
    assert mailing.event == event
    assert mailing.channel == "events"
    outbox.queue_mailing(mailing)
    outbox.dispatch_due()
    html = smtp_server.messages[0]["message"].get_body(("html",)).get_content()
    assert "Annual conference" in html
    assert "/events/annual-conference/" in html
