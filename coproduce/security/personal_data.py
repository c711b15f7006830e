"""Sign-in accounts and their traces in the personal-data register
(`coproduce/lib/personaldata.py`): Django's user accounts, sessions, the django-admin log,
two-factor devices, and sign-in security's own tables. Declared from SecurityConfig.ready."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models

from coproduce.lib.personaldata import (
    Erasure,
    Rule,
    Subject,
    by,
    by_key,
    declare_not_personal,
    register,
    register_key,
    text_mentions,
)

ACCOUNTS = "Managers (django-admin)"


def _users(email: str) -> Any:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    return users.filter(
        models.Q(email__iexact=email) | models.Q(username__iexact=email)
    ).values_list("pk", flat=True)


def _erase_users(subject: Subject, rows: models.QuerySet, at: dt.datetime, by: Any) -> int:
    done = 0
    for user in rows:
        user.username = f"erased-{user.pk}"
        user.first_name = ""
        user.last_name = ""
        user.email = ""
        user.is_active = False
        user.set_unusable_password()
        user.save()
        done += 1
    return done


def _sessions(subject: Subject) -> models.Q:
    from coproduce.security.models import UserSession

    keys = UserSession.objects.filter(user_id__in=sorted(subject.ids("user"))).values("session_key")
    return models.Q(session_key__in=keys)


def _admin_log(subject: Subject) -> models.Q:
    from django.contrib.admin.models import LogEntry

    return by_key("user", "user_id")(subject) | text_mentions(
        LogEntry, ("object_repr", "change_message"), subject
    )


def _sign_in(subject: Subject) -> models.Q:
    from django.contrib.auth import get_user_model

    names = list(
        get_user_model()
        .objects.filter(pk__in=sorted(subject.ids("user")))
        .values_list("username", flat=True)
    )
    q = models.Q(pk__in=[])
    for name in [*subject.emails, *names]:
        if name:
            q |= models.Q(username__iexact=name)
    return q


def declare() -> None:
    register_key("user", _users)
    register(
        Rule(
            "auth.User",
            ("username", "first_name", "last_name", "email", "password"),
            by(email=["email", "username"], keys=[("user", "pk")]),
            Erasure.CUSTOM,
            "The account is closed: username replaced, names and address blanked, password "
            "made unusable. The row stays because audit entries point at it.",
            purpose="Signing in to the staff area",
            who_sees=ACCOUNTS,
            retention="While the person works with the collaboration",
            eraser=_erase_users,
            name_fields=("first_name", "last_name"),
            order=90,
        )
    )
    register(
        Rule(
            "sessions.Session",
            ("session_data",),
            _sessions,
            Erasure.DELETE,
            "Deleted (the person is signed out everywhere).",
            purpose="Keeping a staff user signed in",
            who_sees="No one",
            retention="Until sign-out or expiry (SESSION_COOKIE_AGE)",
            order=10,
        )
    )
    register(
        Rule(
            "security.UserSession",
            ("session_key",),
            by_key("user", "user_id"),
            Erasure.DELETE,
            "Deleted.",
            purpose="Listing and ending a user's sessions",
            who_sees="The user",
            retention="As long as the session",
            order=20,
        )
    )
    register(
        Rule(
            "admin.LogEntry",
            ("object_repr", "change_message"),
            _admin_log,
            Erasure.DELETE,
            "Deleted (the audit log keeps the accountable record).",
            purpose="django-admin's own change list",
            who_sees=ACCOUNTS,
            retention="As long as the records it describes",
        )
    )
    for model in ("otp_totp.TOTPDevice", "otp_static.StaticDevice"):
        register(
            Rule(
                model,
                ("name",),
                by_key("user", "user_id"),
                Erasure.DELETE,
                "Deleted.",
                purpose="Two-factor sign-in",
                who_sees="No one (secrets)",
                retention="While the account exists",
                order=20,
            )
        )
    register(
        Rule(
            "otp_static.StaticToken",
            ("token",),
            by_key("user", "device__user_id"),
            Erasure.DELETE,
            "Deleted.",
            purpose="Two-factor backup codes",
            who_sees="No one (secrets)",
            retention="Until used",
            order=10,
        )
    )
    register(
        Rule(
            "security.SignInFailure",
            ("username", "ip"),
            _sign_in,
            Erasure.DELETE,
            "Deleted.",
            purpose="Slowing down password guessing",
            who_sees="No one",
            retention="Until the throttle window has passed",
            order=25,
        )
    )
    register(
        Rule(
            "security.SignInUnlock",
            ("username",),
            _sign_in,
            Erasure.DELETE,
            "Deleted.",
            purpose="Letting a locked-out user back in by email",
            who_sees="No one",
            retention="Until used or expired",
            order=30,
        )
    )
    declare_not_personal("auth.Permission", "Permissions of the framework")
    declare_not_personal("auth.Group", "Staff roles: their names, not their members")
    declare_not_personal("contenttypes.ContentType", "The framework's list of models")
    declare_not_personal(
        "django_tasks_database.DBTaskResult",
        "Background tasks take ids, not personal details (architecture: tasks take ids)",
    )
    declare_not_personal("security.FormTokenUse", "A used anti-spam token's random id")
    declare_not_personal("security.FormLimitCount", "Rate limits by keyed hash, per period")
