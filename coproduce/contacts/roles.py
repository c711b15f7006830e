"""The roles a contact can have, and the one way a role row gets its contact.

Each app holding a role registers the model from its AppConfig.ready (`register`), saying
which fields hold the address, the name and (if any) the organisation, and which key of the
personal-data register (`lib/personaldata.py`) its ids are. From then on:

- saving a row of a registered model with no contact attaches one (`attach`, on `pre_save`):
  the contact with the row's normalised address, or a new one; a row with no address gets a
  contact of its own;
- rows written without `save()` (bulk loads and imports) are attached by `link_unlinked()`,
  which the loaders call at their end and the worker's clock runs, so no row stays without one;
- a sign-in account (`auth.User`) has its contact through `Contact.user`, attached on
  `post_save` in the same way;
- a contact's addresses (`ContactAddress`) hold its primary address (`hold_address`, on the
  contact's `post_save`, and by `link_rows` and the sweep for contacts made in bulk) and those
  of contacts merged into it: an address held by a contact finds that contact, primary or not.

Invariant: every row of every registered model has a contact once saved or swept; nothing
here ever moves a row from one contact to another (only `merging.merge` does, audited).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from coproduce.contacts import keys
from coproduce.contacts.models import Contact, ContactAddress
from coproduce.lib.identifiers import normalise_email

log = logging.getLogger(__name__)
ERASED_DOMAIN = "@erased.invalid"
FIRST_ADDRESS = "first address"


@dataclass(frozen=True)
class Role:
    model: str  # "app_label.ModelName"
    label: str  # what a user calls the role: "Associate", "Event booking"
    email: str  # field holding the address
    name: str  # field holding the name
    organisation: str | None = None  # field (or lookup) holding the organisation
    key: str | None = None  # the personal-data register's key for these rows' ids
    url: str | None = None  # URL name of the row's staff page, given its public_id
    # The lookup from a row to the study it belongs to: a researcher sees the contacts of
    # rows of their own studies only. None: rows of this role belong to no study.
    study: str | None = None
    # Related rows its text (str) reads, fetched with it on the contact page.
    select_related: tuple[str, ...] = ()

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)


_ROLES: dict[str, Role] = {}


def register(role: Role) -> None:
    _ROLES[role.model] = role


def roles() -> list[Role]:
    return sorted(_ROLES.values(), key=lambda r: r.model)


def usable_address(address: str | None) -> str:
    email = normalise_email(address)
    return "" if email.endswith(ERASED_DOMAIN) else email


def hold_address(contact_id: int, address: str | None, how: str = FIRST_ADDRESS) -> bool:
    """Record `address` (normalised) as one of the contact's addresses, unless a contact holds
    it already. True if a row was added. Safe inside a caller's transaction (own savepoint)."""
    email = usable_address(address)
    if not email:
        return False
    holder = ContactAddress.objects.filter(email=email).values_list("contact_id", flat=True)
    found = holder.first()
    if found is not None:
        if found != contact_id:
            log.warning("Contact %s: its address is held by contact %s", contact_id, found)
        return False
    try:
        with transaction.atomic():
            ContactAddress.objects.create(contact_id=contact_id, email=email, how=how)
    except IntegrityError:
        return False
    return True


def addresses(contact: Contact) -> list[str]:
    """Every address of the contact, its primary one first."""
    held = ContactAddress.objects.filter(contact_id=contact.pk).values_list("email", flat=True)
    return list(dict.fromkeys(a for a in (contact.email, *held) if a))


def holding(email: str) -> Contact | None:
    """The contact with this (normalised) address as its primary one, or among its others."""
    return (
        Contact.objects.filter(email=email).first()
        or Contact.objects.filter(addresses__email=email).first()
    )


def contact_for(email: str, name: str = "", organisation: str = "") -> Contact:
    """The contact holding this (normalised) address (its primary one or another, merged in),
    or a new one; a new one with no address when `email` is blank. Race-safe: the address is
    unique among contacts."""
    email = usable_address(email)
    if email:
        found = holding(email)
        if found is not None:
            if not found.full_name and name:
                found.full_name = name[:200]
                Contact.objects.filter(pk=found.pk).update(
                    full_name=found.full_name, updated=timezone.now(), **keys.keys_of(found)
                )
            return found
        try:
            with transaction.atomic():
                return Contact.objects.create(
                    email=email, full_name=name[:200], organisation=organisation[:200]
                )
        except IntegrityError:
            return Contact.objects.get(email=email)
    return Contact.objects.create(full_name=name[:200], organisation=organisation[:200])


def _value(row: models.Model, path: str | None) -> str:
    if not path:
        return ""
    value: Any = row
    for part in path.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return ""
    return str(value)


def attach(row: models.Model) -> None:
    """Give a role row its contact (in place; the caller saves), if it has none."""
    role = _ROLES.get(row._meta.label)
    if role is None or getattr(row, "contact_id", None) is not None:
        return
    contact = contact_for(
        _value(row, role.email), _value(row, role.name), _value(row, role.organisation)
    )
    row.contact_id = contact.pk  # type: ignore[attr-defined]


def attach_user(user: Any) -> Contact | None:
    """The sign-in account's contact: the one already linked, else the contact with its address
    that has no account yet, else a new one."""
    found = Contact.objects.filter(user=user).first()
    if found is not None:
        return found
    email = usable_address(user.email)
    name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    if email:
        contact = contact_for(email, name)
        if contact.user_id is None:
            Contact.objects.filter(pk=contact.pk).update(user=user, updated=timezone.now())
            contact.user_id = user.pk
            return contact
    return Contact.objects.create(user=user, full_name=name or user.get_username())


def _contact_saved(sender: Any, instance: Contact, raw: bool, **_: Any) -> None:
    if not raw and instance.email:
        hold_address(instance.pk, instance.email)


def _pre_save(sender: type[models.Model], instance: models.Model, raw: bool, **_: Any) -> None:
    if not raw:
        attach(instance)


def _user_saved(sender: Any, instance: Any, created: bool, raw: bool, **_: Any) -> None:
    if not raw and created:
        attach_user(instance)


def connect() -> None:
    """Called once from ContactsConfig.ready; models registered later are covered too (the
    receiver looks the model up in the registry at save time)."""
    pre_save.connect(_pre_save, dispatch_uid="contacts.attach")
    post_save.connect(_user_saved, sender=settings.AUTH_USER_MODEL, dispatch_uid="contacts.user")
    post_save.connect(_contact_saved, sender=Contact, dispatch_uid="contacts.address")


def link_unlinked(models_: Iterable[str] | None = None, *, batch: int = 1000) -> dict[str, int]:
    """Attach a contact to every registered row that has none (rows written by bulk_create or
    update). The same work as the data migrations, on the current models. Returns, by model,
    how many rows were linked."""
    from django.contrib.auth import get_user_model

    done: dict[str, int] = {}
    wanted = set(models_) if models_ is not None else None
    for role in roles():
        if wanted is not None and role.model not in wanted:
            continue
        done[role.model] = link_rows(
            Contact,
            role.model_class,
            email=role.email,
            name=role.name,
            organisation=role.organisation,
            batch=batch,
        )
    if wanted is None or "auth.User" in wanted:
        users = get_user_model().objects.filter(contact__isnull=True).order_by("pk")
        count = 0
        for user in users.iterator():
            attach_user(user)
            count += 1
        done["auth.User"] = count
    hold_primary_addresses(Contact, ContactAddress)
    return done


def hold_primary_addresses(contact_model: Any, address_model: Any, pks: Any = None) -> int:
    """Give every contact with an address (of `pks` if given) its primary address among its
    addresses, where no contact holds it yet (contacts made in bulk, without `save()`). Works on
    the current models and on a migration's historical ones. Returns how many were added."""
    contacts = contact_model._default_manager.exclude(email="")
    if pks is not None:
        contacts = contacts.filter(pk__in=list(pks))
    held = address_model._default_manager.values("email")
    keyed = _has_field(address_model, "mailbox_key")
    missing = [
        address_model(
            contact_id=pk,
            email=email,
            how=FIRST_ADDRESS,
            **({"mailbox_key": keys.address_key(email)} if keyed else {}),
        )
        for pk, email in contacts.exclude(email__in=held).values_list("pk", "email").iterator()
    ]
    address_model._default_manager.bulk_create(missing, batch_size=500, ignore_conflicts=True)
    return len(missing)


def _has_field(model: Any, name: str) -> bool:
    """Whether `model` (current, or a migration's historical one) has the field: the match
    keys are filled here once their migration has run, and by it before."""
    return any(f.name == name for f in model._meta.get_fields())


def _address_model(contact_model: Any) -> Any:
    """The addresses model beside `contact_model` (current or historical), or None in a
    migration state from before it existed."""
    try:
        return contact_model._meta.apps.get_model("contacts", "ContactAddress")
    except LookupError:
        return None


def link_rows(
    contact_model: Any,
    model: Any,
    *,
    email: str,
    name: str,
    organisation: str | None = None,
    batch: int = 1000,
) -> int:
    """Link every row of `model` without a contact: to the contact of its normalised address
    (made if missing), or to a new contact of its own when it has no address. Works on the
    current models and on a migration's historical ones (pass both models), in batches."""
    fields = [email, name] + ([organisation] if organisation else [])
    address_model = _address_model(contact_model)
    keyed = _has_field(contact_model, "name_key")

    def new(**values: str) -> Any:
        made = contact_model(**values)
        return keys.set_keys(made) if keyed else made

    linked = 0
    last = 0
    while True:
        chunk = list(
            model._default_manager.filter(contact__isnull=True, pk__gt=last)
            .order_by("pk")
            .values_list("pk", *fields)[:batch]
        )
        if not chunk:
            return linked
        last = chunk[-1][0]
        wanted: dict[str, tuple[str, str]] = {}
        for _pk, address, full_name, *rest in chunk:
            address = usable_address(address)
            if address and address not in wanted:
                wanted[address] = (full_name or "", (rest[0] if rest else "") or "")
        known = dict(
            contact_model._default_manager.filter(email__in=list(wanted)).values_list("email", "pk")
        )
        if address_model is not None:  # addresses held by a contact as other than its primary
            for address, contact_id in address_model._default_manager.filter(
                email__in=[a for a in wanted if a not in known]
            ).values_list("email", "contact_id"):
                known[address] = contact_id
        missing = [
            new(email=a, full_name=n[:200], organisation=o[:200])
            for a, (n, o) in wanted.items()
            if a not in known
        ]
        for made in contact_model._default_manager.bulk_create(missing, batch_size=500):
            known[made.email] = made.pk
        if len(missing) and any(known.get(c.email) is None for c in missing):
            known.update(
                contact_model._default_manager.filter(email__in=list(wanted)).values_list(
                    "email", "pk"
                )
            )
        if address_model is not None and missing:
            hold_primary_addresses(
                contact_model, address_model, pks=[known[c.email] for c in missing]
            )
        unaddressed = [row for row in chunk if not usable_address(row[1])]
        own = contact_model._default_manager.bulk_create(
            [
                new(
                    full_name=(row[2] or "")[:200],
                    organisation=((row[3] if len(row) > 3 else "") or "")[:200],
                )
                for row in unaddressed
            ],
            batch_size=500,
        )
        targets: dict[int, int] = {}
        for row, made in zip(unaddressed, own, strict=True):
            targets[row[0]] = made.pk
        for row in chunk:
            address = usable_address(row[1])
            if address:
                targets[row[0]] = known[address]
        updates = [model(pk=pk, contact_id=contact_id) for pk, contact_id in targets.items()]
        model._default_manager.bulk_update(updates, ["contact_id"], batch_size=500)
        linked += len(updates)
