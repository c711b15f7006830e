"""The scene for the project-wide authorization matrix (tests/security/test_authz_matrix.py).

One of everything a URL can name, around one study, and a signed-in user for each role:

- service user: a lay member of the service user and carer panel (a membership that represents
  service users) with no staff role group, as lay members are set up (the demo's `carer`): they
  see their own panel and its rounds and nothing else of the staff area. Both review rounds are
  on the scientific committee, so they are another panel's confidential rounds to them.
- panel member: a scientific committee member (staff reader, as in the demo: committee members
  are usually academic staff) assigned as a reviewer in both review rounds, conflict-free.
- researcher: the researcher group with a current research role on the study (its team).
- df: a diffusion fellow seconded to the study; signed in, no staff role.
- manager: the manager group.

The associate (a member of the study's community of practice) holds every signed link the site
sends: self-service, unsubscribe, a booking, a consultation invitation, an open-link response,
the interim survey and the consultation's open link, and a registration confirmation link.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from coproduce.apitokens.models import ApiToken
from coproduce.comms import tokens as unsubscribe_tokens
from coproduce.comms.models import Mailing
from coproduce.community import links as associate_links
from coproduce.community import registration
from coproduce.community import services as community_services
from coproduce.community.models import Activity, Associate, CommunityOfPractice, ConsentRecord
from coproduce.coproduction import importer
from coproduce.coproduction import models as cm
from coproduce.events import links as booking_links
from coproduce.events import services as event_services
from coproduce.events.models import Event
from coproduce.governance import services as gov
from coproduce.governance import uploads
from coproduce.governance.models import Panel, PanelMembership
from coproduce.implementation import instruments
from coproduce.implementation import models as im
from coproduce.pages.models import Enquiry
from coproduce.priorities import links as consultation_links
from coproduce.priorities import models as pm
from coproduce.qualitative import codebooks as qual_codebooks
from coproduce.qualitative import services as qual_services
from coproduce.registry.access import MANAGER, RESEARCHER, STAFF_READER
from coproduce.security import throttle
from coproduce.security.models import SignInUnlock
from tests import factories
from tests.funding import scene as funding_scene

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
D = dt.date


@dataclass
class Scene:
    users: dict[str, Any]
    tokens: dict[str, str]  # API token secret per signed-in role
    links: dict[str, str]  # the associate's valid signed links, by kind
    objects: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None


def _user(username: str, *groups: str, person: bool = True, **person_fields: Any) -> Any:
    user = factories.UserFactory(username=username, groups=list(groups))
    if person:
        factories.PersonFactory(
            full_name=username.replace("_", " ").title(),
            email=f"{username}@example.org",
            user=user,
            **person_fields,
        )
    return user


def signin_unlock_token(user: Any) -> str:
    """An unused unlock link for the user's account (coproduce/security/throttle.py)."""
    unlock = SignInUnlock.objects.create(
        username=user.get_username().lower(), nonce=secrets.token_hex(16), created=timezone.now()
    )
    return throttle.link_token(unlock)


def build() -> Scene:
    for name in (MANAGER, RESEARCHER, STAFF_READER):
        Group.objects.get_or_create(name=name)
    study = factories.StudyFactory(slug="return-to-work", title="Return to work after stroke")
    theme = study.theme
    organisation = factories.OrganisationFactory(slug="trentside", name="Trentside NHS Trust")
    study.partners.add(organisation)

    manager = _user("manager", MANAGER)
    researcher = _user("researcher", RESEARCHER)
    role = factories.RoleAssignmentFactory(person=researcher.person, study=study)
    df = _user("fellow")
    secondment = factories.SecondmentFactory(person=df.person, study=study, start=D(2024, 1, 1))
    service_user = _user("service_user")  # a lay panel member: no staff role group
    panel_member = _user("panel_member", STAFF_READER)
    chair = _user("chair", STAFF_READER)

    lay_panel = Panel.objects.get(kind=Panel.Kind.SERVICE_USERS)
    PanelMembership.objects.create(
        panel=lay_panel,
        person=service_user.person,
        role="member",
        represents=PanelMembership.Represents.SERVICE_USER,
        start=D(2010, 1, 1),
    )
    committee = Panel.objects.get(kind=Panel.Kind.SCIENTIFIC)
    PanelMembership.objects.create(
        panel=committee, person=chair.person, role="chair", start=D(2010, 1, 1)
    )
    membership = PanelMembership.objects.create(
        panel=committee, person=panel_member.person, role="member", start=D(2010, 1, 1)
    )
    rounds = []
    for label in ("1.0", "2.0"):
        file = SimpleUploadedFile(f"protocol-{label}.pdf", PDF, content_type="application/pdf")
        version = gov.upload_protocol(
            study, label=label, summary="", uploaded=file, checked=uploads.check(file),
            by=researcher,
        )  # fmt: skip
        review_round = gov.submit(version, committee, by=researcher)
        assignment = gov.assign(review_round, panel_member.person, by=chair)
        gov.declare(assignment, has_conflict=False, details="", by=panel_member)
        rounds.append(review_round)
    for review_round, release in ((rounds[0], False), (rounds[1], True)):
        gov.save_recommendation(
            review_round.recommendation,
            decision="approve_with_conditions",
            rationale="Sound, with one condition.",
            conditions=["Publish the analysis plan."],
            expected_version=0,
            by=chair,
        )
        if release:
            gov.release(review_round, by=chair)
        review_round.refresh_from_db()

    # Community, associate and every link the associate can hold.
    cop = CommunityOfPractice.objects.get(study=study)
    associate = Associate.objects.create(
        full_name="Ash Associate",
        email="ash@example.org",
        role=Associate.Role.CLINICIAN,
        status=Associate.Status.ACTIVE,
        confirmed=timezone.now(),
    )
    for channel in ("engage", "briefing", "events"):
        community_services.record_consent(associate, channel, True, ConsentRecord.Method.FORM)
    community_services.join(associate, cop)
    activity = Activity.objects.create(
        cop=cop,
        date=D(2012, 1, 10),
        title="Welcome meeting",
        characteristic=Activity.Characteristic.SOCIAL_INTERACTION,
        led_by=Activity.LedBy.STAFF,
        attendee_count=9,
    )
    pending = registration.register(
        registration.Answers(full_name="New Comer", email="new@example.org", role="clinician")
    )
    assert pending is not None
    starts = timezone.now() + dt.timedelta(days=10)
    event = Event.objects.create(
        slug="stroke-seminar",
        kind=Event.Kind.SEMINAR,
        title="Stroke seminar",
        starts=starts,
        ends=starts + dt.timedelta(hours=2),
        venue="Millbrook Conference Centre",
        capacity=20,
        cop=cop,
    )
    booking = event_services.book(
        event, full_name=associate.full_name, email=associate.email
    ).booking
    draft = Mailing.objects.create(
        kind=Mailing.Kind.BRIEFING, channel="briefing", subject="Draft", body="Soon."
    )
    sent = Mailing.objects.create(
        kind=Mailing.Kind.BRIEFING,
        channel="briefing",
        subject="January briefing",
        body="News.",
        slug="january-briefing",
        status=Mailing.Status.SENT,
        finished_at=timezone.now(),
    )

    # Priority setting.
    consultation = pm.Consultation.objects.create(
        slug="scoping",
        title="Scoping consultation",
        scope="What research should we do?",
        opens=D(2008, 10, 1),
        closes=D(2099, 11, 30),
        status=pm.Consultation.Status.OPEN,
        open_link_enabled=True,
    )
    question = pm.Question.objects.create(
        consultation=consultation, position=1, kind=pm.Question.Kind.FREE_TEXT,
        text="What should we study?", collects_submissions=True,
    )  # fmt: skip
    invitation = pm.Invitation.objects.create(
        consultation=consultation,
        full_name=associate.full_name,
        email=associate.email,
        group=pm.StakeholderGroup.CLINICIAN,
    )
    open_response = pm.Response.objects.create(consultation=consultation, group="clinician")
    submission = pm.Submission.objects.create(
        consultation=consultation, text="Return to work", group="clinician"
    )
    indicative = pm.IndicativeQuestion.objects.create(
        consultation=consultation, text="How to return to work?", shortlisted=True
    )
    pm.Merge.objects.create(submission=submission, indicative_question=indicative)
    survey = pm.InterimSurvey.objects.create(
        consultation=consultation, title="Interim", status="open", max_picks=1, shortlist_size=1
    )
    survey.questions.set([indicative])
    workshop = pm.Workshop.objects.create(
        consultation=consultation, title="Final workshop", held_on=D(2010, 11, 18)
    )
    pm.WorkshopGroup.objects.create(workshop=workshop, name="A")
    pm.Priority.objects.create(workshop=workshop, position=1, question=indicative)

    # Implementation.
    instruments.load_files()
    nomad = im.Instrument.objects.get(slug="nomad")
    record = im.ImplementationRecord.objects.create(
        study=study, title="Vocational service", meaning="organisation", site=organisation
    )
    determinant = im.Determinant.objects.create(
        study=study, kind="barrier", level="organisation", category="resources",
        description="No protected time.", source="Minutes", date=D(2010, 5, 1),
    )  # fmt: skip
    recommendation = im.Recommendation.objects.create(
        study=study, made_by=researcher.person, addressee=im.Recommendation.Addressee.STUDY_TEAM,
        text="Protect time.", made_on=D(2030, 1, 1), due=D(2030, 3, 1),
    )  # fmt: skip
    administration = im.Administration.objects.create(
        study=study, instrument=nomad, date=D(2011, 1, 1)
    )
    measure = im.Measure.objects.create(study=study, name="Offered assessment", unit="%")
    output = im.Output.objects.create(kind="tool", title="Pro forma", date=D(2011, 1, 1))
    output.studies.set([study])

    # Co-production.
    compromise = cm.Compromise.objects.create(
        study=study, date=D(2011, 3, 1), topic=cm.Compromise.Topic.DELIVERY,
        summary="Use the pro forma", agreed="Use it", direction=cm.Compromise.Direction.MUTUAL,
    )  # fmt: skip
    source = cm.Source.objects.create(
        study=study, kind=cm.Source.Kind.MEETING, title="Steering meeting", date=D(2011, 1, 5)
    )
    participant = cm.Participant.objects.create(
        study=study, full_name="Pat Participant", email="pat@example.org", consent="granted"
    )
    cm.SourceParticipant.objects.create(
        source=source, participant=participant, role=cm.SourceParticipant.Role.ATTENDEE
    )
    attachment = cm.Attachment.objects.create(
        source=source,
        original_name="a.txt",
        stored_name=importer.store_bytes(b"data"),
        size=4,
    )
    broker_activity = cm.BrokerActivity.objects.create(
        person=df.person, secondment=secondment, study=study, date=D(2024, 2, 1),
        hours=Decimal("1"), direction="inward", kind="other", mobilisation="horizontal",
    )  # fmt: skip
    resident = factories.PersonFactory(full_name="Res Ident")
    placement = factories.PlacementFactory(person=resident, study=study)
    journal_entry = cm.JournalEntry.objects.create(
        placement=placement, date=D(2024, 1, 1), title="Private", text="Private text"
    )
    rate = cm.PaymentRate.objects.get(name="Involvement, hourly")
    involvement = cm.InvolvementActivity.objects.create(
        study=study, contributor=cm.Contributor.objects.create(full_name="Pat Public"),
        date=D(2011, 2, 1), what="Steering committee", role=cm.InvolvementActivity.Role.STEERING,
        hours=Decimal("2"), rate=rate, fee=rate.fee_for(Decimal("2")), expenses=Decimal("0"),
    )  # fmt: skip
    dialogue = cm.ReflexiveDialogue.objects.create(
        study=study, date=D(2011, 4, 1), title="Evidence", partners="Academics",
        summary="Talk.", challenges=["language"], enablers=["dialogical"],
    )  # fmt: skip

    # Qualitative evidence: a project on the study, a source from the ledger, a code, a coding.
    qual_project = qual_services.start_project(study, by=manager)
    (qual_source,) = qual_services.add_coproduction_sources(qual_project, [source], by=manager)
    qual_code = qual_codebooks.add_code(qual_project, name="Delivery", by=manager)
    qual_coding = qual_services.apply_code(
        qual_source, qual_code, start=0, end=5, by=researcher, memo="First look"
    )

    enquiry = Enquiry.objects.create(name="Sam Carer", email="sam@example.org", message="Hi")

    users = {
        "service user": service_user,
        "panel member": panel_member,
        "researcher": researcher,
        "df": df,
        "manager": manager,
    }
    tokens = {role: ApiToken.objects.issue(user, "matrix")[1] for role, user in users.items()}
    researcher_token = ApiToken.objects.get(owner=researcher)
    from coproduce.webhooks.models import Delivery, Endpoint

    webhook = Endpoint.objects.create(
        owner=manager,
        url="https://hooks.example.org/coproduce",
        event_types=["booking.made"],
    )
    webhook_delivery = Delivery.objects.create(
        endpoint=webhook, event_type="booking.made", body="{}", status=Delivery.Status.FAILED
    )
    links = {
        "manage": associate_links.make_token(associate),
        "unsubscribe": unsubscribe_tokens.make_token(associate, "briefing"),
        "booking": booking_links.make_token(booking),
        "invitation": consultation_links.invitation_token(invitation),
        "response": consultation_links.response_token(open_response),
        "ballot": survey.open_token,
        "open": consultation.open_token,
        "confirm": registration.confirm_token(pending),
        "unlock": signin_unlock_token(manager),
    }
    return Scene(
        users=users,
        tokens=tokens,
        links=links,
        objects={
            "study": study,
            "qual_project": qual_project,
            "qual_source": qual_source,
            "qual_code": qual_code,
            "qual_coding": qual_coding,
            "theme": theme,
            "organisation": organisation,
            "role": role,
            "secondment": secondment,
            "placement": placement,
            "person": researcher.person,
            "membership": membership,
            "lay_panel": lay_panel,
            "committee": committee,
            "version": rounds[0].protocol_version,
            "round": rounds[0],
            "released": rounds[1],
            "condition": rounds[1].conditions.get(),
            "cop": cop,
            "associate": associate,
            "activity": activity,
            "event": event,
            "booking": booking,
            "draft": draft,
            "sent": sent,
            "consultation": consultation,
            "question": question,
            "invitation": invitation,
            "submission": submission,
            "indicative": indicative,
            "survey": survey,
            "workshop": workshop,
            "nomad": nomad,
            "item": im.Item.objects.filter(construct__instrument=nomad).first(),
            "record": record,
            "determinant": determinant,
            "recommendation": recommendation,
            "administration": administration,
            "measure": measure,
            "output": output,
            "compromise": compromise,
            "source": source,
            "participant": participant,
            # One contact per person (contacts/roles.py): the participant's, in the study, and
            # the associate's, in none.
            "contact": participant.contact,
            "other_contact": associate.contact,
            "attachment": attachment,
            "broker_activity": broker_activity,
            "journal_entry": journal_entry,
            "rate": rate,
            "involvement": involvement,
            "dialogue": dialogue,
            "enquiry": enquiry,
            "api_token": researcher_token,
            "webhook": webhook,
            "webhook_delivery": webhook_delivery,
            **funding_scene.authz_objects(
                study, organisation, secondment, researcher.person, placement
            ),
        },
    )
