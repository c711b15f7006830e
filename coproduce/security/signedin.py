"""Who is signed in, read once per request: the user, their role groups and their two-factor
devices in one query.

Every signed-in page needs the session, the user (a deactivated user is signed out at once),
the user's role groups (what they may see) and, under /staff/, whether the session has given a
two-factor code with a device the user still has. Django and django-otp asked for them in
four queries; `SignedInBackend.get_user` reads the last three in one, as columns of the user's
row (`EXISTS` for each group `registry.access` knows, the ids of the confirmed authenticator
app and backup codes), and `VerifiedDeviceMiddleware` takes the session's device from those
ids instead of loading it (issue 22).

Nothing is kept between requests, so nothing has to be invalidated: a revoked role, a
deactivated account or a removed device takes effect on the user's next request, as before.
"""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.models import Exists, OuterRef, Subquery
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from coproduce.registry.access import KNOWN_GROUPS, remember_groups

APP_DEVICE = "_coproduce_app_device_id"  # the confirmed authenticator app's id, or None
DEVICES = "_coproduce_device_ids"  # persistent ids of the user's confirmed devices


def _column(name: str) -> str:
    return "cp_group_" + "_".join(name.split())


def _confirmed(model: type[Device]) -> Subquery:
    return Subquery(
        model.objects.filter(user=OuterRef("pk"), confirmed=True).order_by("-id").values("id")[:1]
    )


def _persistent_id(model: type[Device], pk: int) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}/{pk}"


_SENTINEL_PK = -1_234_567_891  # the user's id in the query compiled once (a 32-bit integer)


@functools.cache
def _user_query(alias: str, vendor: str) -> tuple[str, tuple[Any, ...], int]:
    """The user's row with their known groups and confirmed devices (as columns named by
    `_column`, `cp_app_device`, `cp_backup_device`), compiled once per process and database:
    building and compiling it through the ORM on every request took longer than the four
    queries it replaces. SQL, parameters, and where the user's id goes in them."""
    user_model = get_user_model()
    annotations: dict[str, Any] = {
        _column(name): Exists(Group.objects.filter(user=OuterRef("pk"), name=name).values("pk"))
        for name in KNOWN_GROUPS
    }
    annotations["cp_app_device"] = _confirmed(TOTPDevice)
    annotations["cp_backup_device"] = _confirmed(StaticDevice)
    query = (
        user_model._default_manager.using(alias)
        .annotate(**annotations)
        .filter(pk=_SENTINEL_PK)
        .order_by()
        .query
    )
    sql, params = query.get_compiler(using=alias).as_sql()
    assert list(params).count(_SENTINEL_PK) == 1, "the id must appear once in the query"
    return sql, tuple(params), list(params).index(_SENTINEL_PK)


class SignedInBackend(ModelBackend):
    """Django's ModelBackend (passwords, `is_active`), whose `get_user` also reads the user's
    known groups and confirmed devices with the user."""

    def get_user(self, user_id: Any) -> Any:
        user_model = get_user_model()
        try:
            pk = user_model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        alias = router.db_for_read(user_model)
        sql, params, at = _user_query(alias, connections[alias].vendor)
        # A raw query still converts each field's value as the ORM would (dates, booleans).
        found = list(
            user_model._default_manager.raw(sql, (*params[:at], pk, *params[at + 1 :]), using=alias)
        )
        if not found or not self.user_can_authenticate(found[0]):
            return None
        user = found[0]
        remember_groups(user, {name for name in KNOWN_GROUPS if getattr(user, _column(name))})
        app, backup = getattr(user, "cp_app_device", None), getattr(user, "cp_backup_device", None)
        setattr(user, APP_DEVICE, app)
        devices = set()
        if app is not None:
            devices.add(_persistent_id(TOTPDevice, app))
        if backup is not None:
            devices.add(_persistent_id(StaticDevice, backup))
        setattr(user, DEVICES, frozenset(devices))
        return user


class VerifiedDeviceMiddleware(OTPMiddleware):
    """django-otp's OTPMiddleware (`request.user.otp_device`, `request.user.is_verified()`),
    taking the session's device from the ids `SignedInBackend` read with the user rather than
    loading it: the session is verified while the device that verified it is still one of the
    user's confirmed devices. The device object itself is loaded only if a page uses it."""

    def _verify_user_sync(self, request: HttpRequest, user: Any) -> Any:
        known = getattr(user, DEVICES, None)
        if known is None:  # a user loaded some other way (another backend): django-otp's way
            return super()._verify_user_sync(request, user)
        self._init_user_fields(user)
        device = None
        persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
        if persistent_id:
            persistent_id = self._normalize_persistent_id(persistent_id)
            if persistent_id in known:
                device = SimpleLazyObject(
                    functools.partial(Device.from_persistent_id, persistent_id)
                )
            else:
                del request.session[DEVICE_ID_SESSION_KEY]
        user.otp_device = device
        return user


def has_app_device(user: Any) -> bool:
    """Has the user a confirmed authenticator app? Read with the user when it was signed in
    through `SignedInBackend`; asked of the database otherwise."""
    if not getattr(user, "is_authenticated", False):
        return False
    if hasattr(user, APP_DEVICE):
        return getattr(user, APP_DEVICE) is not None
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()
