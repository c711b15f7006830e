"""Every signed link carries a purpose (its own salt) and an expiry checked on use.

The audit at the bottom reads the project's source: every use of django.core.signing (and the
keyed HMAC of registration links) names a salt constant of its own, no two purposes share one,
no untimed `Signer` is used, and every unsigning checks a max_age. The tests above it prove, for
each kind of link, that a token signed for another purpose is refused and an old one too.
"""

from __future__ import annotations

import ast
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core import signing
from django.utils import timezone

from coproduce.comms import tokens
from coproduce.community import forms_associates, links
from coproduce.events import links as event_links
from coproduce.events.models import Booking, Event
from coproduce.priorities import links as consultation_links
from coproduce.priorities.models import Consultation, Invitation, Response, StakeholderGroup
from tests.community import helpers

ROOT = Path(__file__).resolve().parents[2] / "coproduce"


@dataclass(frozen=True)
class LinkKind:
    salt: str
    max_age: dt.timedelta
    make: Callable[[Any], str]
    read: Callable[[str], Any]
    bad: type[Exception]
    expired: type[Exception]


KINDS: dict[str, LinkKind] = {
    "manage": LinkKind(
        links._SALT, links.MAX_AGE, links.make_token, links.read_token, links.BadLink,
        links.ExpiredLink,
    ),
    "unsubscribe": LinkKind(
        tokens._SALT, tokens.MAX_AGE, lambda a: tokens.make_token(a, "engage"), tokens.read_token,
        tokens.BadToken, tokens.ExpiredToken,
    ),
    "booking": LinkKind(
        event_links._SALT, event_links.MAX_AGE, event_links.make_token, event_links.read_token,
        event_links.BadLink, event_links.ExpiredLink,
    ),
    "invitation": LinkKind(
        consultation_links._INVITE_SALT, consultation_links.MAX_AGE,
        consultation_links.invitation_token, consultation_links.read_invitation_token,
        consultation_links.BadLink, consultation_links.ExpiredLink,
    ),
    "response": LinkKind(
        consultation_links._RESPONSE_SALT, consultation_links.MAX_AGE,
        consultation_links.response_token, consultation_links.read_response_token,
        consultation_links.BadLink, consultation_links.ExpiredLink,
    ),
}  # fmt: skip


@pytest.fixture
def subjects(db: Any) -> dict[str, Any]:
    associate = helpers.associate(full_name="Ada Lovelace", email="ada@example.org")
    starts = timezone.now() + dt.timedelta(days=10)
    event = Event.objects.create(
        slug="seminar", kind=Event.Kind.SEMINAR, title="Seminar", starts=starts,
        ends=starts + dt.timedelta(hours=2), venue="Hall",
    )  # fmt: skip
    booking = Booking.objects.create(
        event=event, full_name="Ada Lovelace", email="ada@example.org",
        status=Booking.Status.CONFIRMED,
    )  # fmt: skip
    consultation = Consultation.objects.create(
        slug="scoping", title="Scoping", scope="What?", opens=dt.date(2020, 1, 1),
        closes=dt.date(2099, 1, 1), status=Consultation.Status.OPEN,
    )  # fmt: skip
    invitation = Invitation.objects.create(
        consultation=consultation, full_name="Ada", email="ada@example.org",
        group=StakeholderGroup.CLINICIAN,
    )  # fmt: skip
    response = Response.objects.create(consultation=consultation, group=StakeholderGroup.OTHER)
    return {
        "manage": associate,
        "unsubscribe": associate,
        "booking": booking,
        "invitation": invitation,
        "response": response,
    }


def _value(token: str) -> str:
    """The signed value inside a TimestampSigner token (value:timestamp:signature)."""
    return token.rsplit(":", 2)[0]


@pytest.mark.parametrize("reader", sorted(KINDS))
@pytest.mark.parametrize("signer", sorted(KINDS))
def test_a_link_signed_for_one_purpose_is_refused_for_another(
    subjects: dict[str, Any], signer: str, reader: str
) -> None:
    kind = KINDS[reader]
    genuine = kind.make(subjects[reader])
    # The exact value the reader expects, signed under the other purpose's salt.
    forged = signing.TimestampSigner(salt=KINDS[signer].salt).sign(_value(genuine))
    if signer == reader:
        assert forged.rsplit(":", 2)[0] == _value(genuine)
        assert kind.read(forged) is not None  # the control: same value, right purpose
    else:
        with pytest.raises(kind.bad):
            kind.read(forged)


@pytest.mark.parametrize("name", sorted(KINDS))
def test_an_expired_link_is_refused_and_a_fresh_one_works(
    subjects: dict[str, Any], name: str
) -> None:
    kind = KINDS[name]
    age = kind.max_age.total_seconds()
    with mock.patch("django.core.signing.time.time", return_value=time.time() - age - 60):
        old = kind.make(subjects[name])
    with mock.patch("django.core.signing.time.time", return_value=time.time() - age + 60):
        nearly_old = kind.make(subjects[name])
    with pytest.raises(kind.expired):
        kind.read(old)
    assert kind.read(nearly_old) is not None


@pytest.mark.django_db
def test_an_untimed_unsubscribe_token_from_before_expiry_is_refused(
    subjects: dict[str, Any],
) -> None:
    associate = subjects["unsubscribe"]
    legacy = signing.Signer(salt=tokens._SALT).sign(
        f"{associate.public_id.hex}.engage.{associate.link_version}"
    )
    with pytest.raises(tokens.BadToken):
        tokens.read_token(legacy)


@pytest.mark.django_db
def test_the_consent_wordings_on_a_form_expire(subjects: dict[str, Any]) -> None:
    wordings = forms_associates.current_wordings()
    assert wordings  # made by a migration
    age = forms_associates.WORDINGS_MAX_AGE
    with mock.patch("django.core.signing.time.time", return_value=time.time() - age - 60):
        old = forms_associates.sign_wordings(wordings)
    fresh = forms_associates.sign_wordings(wordings)
    assert forms_associates.read_wordings(old) == {}
    assert forms_associates.read_wordings(fresh) == wordings
    other = signing.dumps({c: w.pk for c, w in wordings.items()}, salt=links._SALT)
    assert forms_associates.read_wordings(other) == {}


# --- the audit of the source -------------------------------------------------------------

# Files allowed to unsign without max_age, and why. Nothing else is.
UNTIMED_ALLOWED = {
    # The public forms' anti-spam token: it checks its age itself against MAX_SECONDS.
    "lib/spam.py": "checks the token's age itself",
}
_SIGNING_CALLS = {"dumps", "loads", "Signer", "TimestampSigner", "salted_hmac"}


def _calls() -> list[tuple[str, ast.Call, dict[str, str]]]:
    """(file, call, module-level string constants) for every signing call in the project."""
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            for target in node.targets
            if isinstance(target, ast.Name) and isinstance(node.value.value, str)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                owner = func.value if isinstance(func, ast.Attribute) else None
                if name in {"dumps", "loads"} and not (
                    isinstance(owner, ast.Name) and owner.id == "signing"
                ):
                    continue  # json.dumps and friends
                if name in _SIGNING_CALLS:
                    found.append((str(path.relative_to(ROOT)), node, constants))
    return found


def _salt(call: ast.Call) -> ast.expr | None:
    node = next((k.value for k in call.keywords if k.arg == "salt"), None)
    if node is None and call.args and _name(call) == "salted_hmac":
        node = call.args[0]
    return node


def _name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def test_the_audit_finds_the_signed_links() -> None:
    files = {file for file, _, _ in _calls()}
    assert {"community/links.py", "comms/tokens.py", "events/links.py"} <= files


def test_every_signing_names_a_salt_and_no_two_purposes_share_one() -> None:
    salts: dict[str, set[str]] = {}
    for file, call, constants in _calls():
        node = _salt(call)
        assert node is not None, f"{file}:{call.lineno} signs without a salt"
        if isinstance(node, ast.Constant):
            raise AssertionError(f"{file}:{call.lineno}: name the salt as a module constant")
        for name, value in constants.items():
            if "SALT" in name:
                salts.setdefault(value, set()).add(f"{file}:{name}")
    shared = {salt: where for salt, where in salts.items() if len(where) > 1}
    assert not shared, f"one salt for several purposes: {shared}"
    assert len(salts) >= 7  # manage, unsubscribe, booking, invitation, response, wordings, ...


def test_no_untimed_signer_and_every_unsigning_checks_an_age() -> None:
    for file, call, _ in _calls():
        where = f"{file}:{call.lineno}"
        assert _name(call) != "Signer", f"{where}: a Signer cannot expire; use TimestampSigner"
        if file in UNTIMED_ALLOWED:
            continue
        if _name(call) == "loads":
            assert any(k.arg == "max_age" for k in call.keywords), f"{where}: loads without max_age"
    for path in sorted(ROOT.rglob("*.py")):
        relative = str(path.relative_to(ROOT))
        if "migrations" in path.parts or relative in UNTIMED_ALLOWED:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _name(node) in {"unsign", "unsign_object"}:
                assert any(k.arg == "max_age" for k in node.keywords), (
                    f"{relative}:{node.lineno}: unsign without max_age"
                )


@pytest.mark.django_db
def test_a_join_confirmation_link_is_bound_to_its_purpose_and_expires() -> None:
    """Confirmation links are a keyed HMAC of a nonce (only its hash is stored), 7 days."""
    from django.utils.crypto import salted_hmac
    from django.utils.http import urlsafe_base64_encode

    from coproduce.community import registration
    from coproduce.community.models import Associate, Registration

    made = registration.register(
        registration.Answers(
            full_name="Ada", email="ada.join@example.org", role=Associate.Role.CLINICIAN
        )
    )
    assert made is not None
    nonce = made.payload["nonce"]
    assert registration.find(registration.confirm_token(made)) == made
    for salt in (links._SALT, tokens._SALT, event_links._SALT):
        forged = urlsafe_base64_encode(salted_hmac(salt, nonce, algorithm="sha256").digest())
        with pytest.raises(registration.UnknownLink):
            registration.find(forged)
    Registration.objects.filter(pk=made.pk).update(
        created=timezone.now() - registration.MAX_AGE - dt.timedelta(minutes=1)
    )
    with pytest.raises(registration.ExpiredLink):
        registration.find(registration.confirm_token(made))
