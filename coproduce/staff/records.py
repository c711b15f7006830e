"""Plain records in the staff area, declared once each: the one mechanism for list, detail,
create, edit and delete pages, their URLs, and who may use them.

A domain app describes each kind of record it manages as a `Kind` in its own `records.py`
(columns, filters, search, the form, a policy, optionally the `Parent` it belongs to) and
registers the kinds from its AppConfig.ready with `register`. Its urls.py adds
`urlpatterns(kinds)`; the views here serve every kind, and every change goes through
`editing.save_with_audit` / `editing.delete_with_audit` (one audit entry each).

Existing addresses and URL names are kept by declaring them: `names` maps an action to the
URL name it has always had, `paths` to its path, so `reverse()` by name keeps working.

Records that belong to something (a study's implementation records, a measure's data points)
name a `Parent`: they are created under the parent's address (`studies/<slug>/records/new/`),
and the parent decides who may see and change them (through the app's `access.py`).
Workflows (status transitions, imports, reviews) stay hand-written views, and use the same
helpers: `by_method`, `render_staff`, `form_page` and `editing`.

Shape after Wagtail's ModelViewSet and neapolitan's CRUDView (no code copied): one object that
knows its model, form, columns and permissions, and hands out its URLs.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Q
from django.db.models.deletion import ProtectedError, RestrictedError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods, require_safe

from coproduce.audit.log import snapshot
from coproduce.lib.urls import reverse_once
from coproduce.registry import access
from coproduce.staff import editing
from coproduce.staff.forms import ListFilterForm, field_labels
from coproduce.staff.history import field_label, history_page, shown

View = Callable[..., HttpResponse]
PAGE_SIZE = 25
RELATED_SHOWN = 20
ACTIONS = ("list", "create", "detail", "edit", "delete")


# --- the helpers every staff view uses ---------------------------------------------------------


def by_method(*, get: View, post: View) -> View:
    """One URL, two views: GET (and HEAD) shows, POST changes."""

    @wraps(get)
    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method in ("GET", "HEAD"):
            return get(request, *args, **kwargs)
        return post(request, *args, **kwargs)  # answers 405 to anything but POST

    return view


def render_staff(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    section: str,
    status: int = 200,
) -> HttpResponse:
    """Render a staff page: `template` is the full template name, `section` the menu item."""
    from coproduce.staff.navigation import staff_nav

    context = {**context, "staff_nav": staff_nav(section)}
    return render(request, template, context, status=status)


Renderer = Callable[..., HttpResponse]


def renderer(
    section: str,
    folder: str,
    extra: Callable[[HttpRequest], dict[str, Any]] | None = None,
) -> Renderer:
    """An app's `_render(request, template, context, *, status=200)`: templates under
    `folder`, the menu at `section`, plus what `extra(request)` adds to every page."""

    def render_page(
        request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200
    ) -> HttpResponse:
        if extra is not None:
            context = {**context, **extra(request)}
        return render_staff(request, f"{folder}{template}", context, section=section, status=status)

    return render_page


FORM_TEMPLATE = "staff/object_form.html"


def form_page(
    request: HttpRequest,
    form: Any,
    *,
    section: str,
    heading: str,
    cancel_url: str,
    caption: str = "",
    intro: str = "",
    action: str = "",
    multipart: bool = False,
    crumb: tuple[str, str] = ("", ""),
    object_label: str = "",
    object_url: str = "",
    invalid_status: int = 400,
    button: str = "Save",
) -> HttpResponse:
    """The one form page of the staff area (`staff/object_form.html`): an error summary, the
    fields, the `button` (Save) and Cancel. A bound form with errors answers `invalid_status`."""
    return render_staff(
        request,
        FORM_TEMPLATE,
        {
            "form": form,
            "heading": heading,
            "caption": caption or object_label,
            "object_label": object_label,
            "intro": intro,
            "action": action,
            "multipart": multipart,
            "cancel_url": cancel_url,
            "section_label": crumb[0],
            "section_url": crumb[1],
            "detail_url": object_url,
            "button": button,
        },
        section=section,
        status=invalid_status if form.is_bound and form.errors else 200,
    )


# --- list columns ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a list: a dotted attribute path; fields with choices show their label."""

    label: str
    path: str

    def value(self, obj: Any) -> Any:
        *parents, name = self.path.split(".")
        target = obj
        for part in parents:
            target = getattr(target, part)
            if target is None:
                return None
        display = getattr(target, f"get_{name}_display", None)
        if callable(display):
            return display()
        return getattr(target, name)


# --- list filters ------------------------------------------------------------------------------


class Filter(ABC):
    """A list filter: a form field in the filter form and the query it applies."""

    name: str
    label: str

    @abstractmethod
    def form_field(self) -> forms.Field: ...

    @abstractmethod
    def apply(self, queryset: models.QuerySet[Any], value: Any) -> models.QuerySet[Any]: ...


@dataclass(frozen=True)
class ChoiceFilter(Filter):
    """Filter on a fixed set of choices; `where` turns a chosen value into a query."""

    name: str
    label: str
    choices: Sequence[tuple[str, str]]
    where: Callable[[str], Q] | None = None

    def form_field(self) -> forms.Field:
        return forms.ChoiceField(
            label=self.label, choices=[("", "All"), *self.choices], required=False
        )

    def apply(self, queryset: models.QuerySet[Any], value: Any) -> models.QuerySet[Any]:
        query = self.where(value) if self.where else Q(**{self.name: value})
        return queryset.filter(query)


@dataclass(frozen=True)
class RelatedFilter(Filter):
    """Filter on a foreign key, chosen by the related object's slug (never its database id)."""

    name: str
    label: str
    queryset: Callable[[], models.QuerySet[Any]]

    def form_field(self) -> forms.Field:
        return forms.ModelChoiceField(
            label=self.label,
            queryset=self.queryset(),
            to_field_name="slug",
            empty_label="All",
            required=False,
        )

    def apply(self, queryset: models.QuerySet[Any], value: Any) -> models.QuerySet[Any]:
        return queryset.filter(**{self.name: value})


def _dated_status(value: str) -> Q:
    """Rows with start and end dates, by where today falls."""
    today = timezone.localdate()
    if value == "current":
        return Q(start__lte=today) & (Q(end__isnull=True) | Q(end__gte=today))
    if value == "ended":
        return Q(end__lt=today)
    return Q(start__gt=today)


DATED_STATUS = ChoiceFilter(
    "status",
    "Status",
    [("current", "Current"), ("ended", "Ended"), ("future", "Not started yet")],
    _dated_status,
)


# --- who may do what ---------------------------------------------------------------------------


class ManagersEdit:
    """Every staff member reads; only managers create, change and delete."""

    def get(self, kind: Kind, user: Any, key: Any, *, write: bool, scope: dict[str, Any]) -> Any:
        access.require_staff(user)
        obj = get_object_or_404(kind.queryset(), **{kind.lookup: key})
        if write:
            access.require_manager(user)
        return obj

    def can_edit(self, user: Any, obj: Any) -> bool:
        return access.is_manager(user)

    def can_create(self, user: Any) -> bool:
        return access.is_manager(user)

    def can_delete(self, user: Any, obj: Any) -> bool:
        return self.can_edit(user, obj)

    def require_create(self, user: Any) -> None:
        access.require_manager(user)

    def require_delete(self, user: Any, obj: Any) -> None:
        if not self.can_delete(user, obj):
            raise PermissionDenied("Only managers can do this.")


class StudyTeamEdits(ManagersEdit):
    """Studies: researchers with a current research role on a study may also edit its record."""

    def get(self, kind: Kind, user: Any, key: Any, *, write: bool, scope: dict[str, Any]) -> Any:
        return access.get_study_for(user, key, write=write)

    def can_edit(self, user: Any, obj: Any) -> bool:
        return access.can_edit_study(user, obj)

    def require_delete(self, user: Any, obj: Any) -> None:
        access.require_manager(user)

    def can_delete(self, user: Any, obj: Any) -> bool:
        return access.is_manager(user)


class ParentDecides(ManagersEdit):
    """Records of a parent: whoever may see the parent sees them; whoever may change it, them."""

    def get(self, kind: Kind, user: Any, key: Any, *, write: bool, scope: dict[str, Any]) -> Any:
        access.require_staff(user)
        obj = get_object_or_404(kind.queryset(), **{kind.lookup: key})
        assert kind.parent is not None
        kind.parent.check(user, kind.parent_of(user, obj), write)
        return obj

    def require_create(self, user: Any) -> None:
        access.require_staff(user)  # the parent decides, in the create view

    def require_delete(self, user: Any, obj: Any) -> None:
        pass  # `get(write=True)` has asked the parent


MANAGERS_EDIT = ManagersEdit()
STUDY_TEAM_EDITS = StudyTeamEdits()
PARENT_DECIDES = ParentDecides()


# --- the parent a record belongs to ------------------------------------------------------------


def _study_check(user: Any, study: Any, write: bool) -> None:
    access.require_staff(user)
    if write and not access.can_edit_study(user, study):
        raise PermissionDenied("You can only change the studies you work on.")


@dataclass(frozen=True)
class Parent:
    """What records of a kind belong to, and how to find it and decide access by it."""

    field: str  # the record's foreign key to it ("study"); "" if it has none (many-to-many)
    segment: str  # its URL segment ("studies")
    get: Callable[[Any, Any, bool], Any]  # (user, key, write): it, or 404 / 403
    check: Callable[[Any, Any, bool], None]  # (user, it, write): 403 if not allowed
    url: Callable[[Any], str]  # its page
    caption: Callable[[Any], str] = str
    kwarg: str = "slug"  # its keyword in URLs
    converter: str = "slug"
    key: str = "slug"  # its attribute carried in URLs (dotted: "instrument.slug")
    form_kwarg: bool = False  # the form takes it as a keyword named `field`


def study_parent(url: Callable[[Any], str], *, form_kwarg: bool = True) -> Parent:
    """A study as parent: staff see it; its research team and managers change its records."""
    return Parent(
        field="study",
        segment="studies",
        get=lambda user, key, write: access.get_study_for(user, key, write=write),
        check=_study_check,
        url=url,
        caption=lambda study: study.title,
        form_kwarg=form_kwarg,
    )


def _dotted(obj: Any, path: str) -> Any:
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


# --- the kinds ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Related:
    """Records of another kind that point at this object, listed on its detail page."""

    kind: str
    field: str
    heading: str


Message = str | Callable[[Any], str]


@dataclass(frozen=True)
class Kind:
    key: str  # URL names are <namespace>:<key>_list, _create, _detail, _edit, _delete
    model: type[models.Model]
    form_class: type[forms.ModelForm[Any]]
    segment: str  # the URL path segment, like "studies"
    lookup: str = "public_id"  # "slug" or "public_id": what URLs carry
    columns: tuple[Column, ...] = ()
    search_fields: tuple[str, ...] = ()
    search_help: str = ""
    filters: tuple[Filter, ...] = ()
    select_related: tuple[str, ...] = ()
    related: tuple[Related, ...] = ()
    policy: ManagersEdit = field(default=MANAGERS_EDIT)
    # Where it lives: the URL namespace, the menu section, the crumb after "Staff home"
    # ((label, url name); none: the kind's own list).
    namespace: str = "staff"
    section: str = ""
    crumb: tuple[str, str] | None = None
    actions: tuple[str, ...] = ACTIONS  # which of the generic views it has
    names: dict[str, str] = field(default_factory=dict)  # action -> URL name kept from before
    paths: dict[str, str] = field(default_factory=dict)  # action -> URL path kept from before
    key_kwarg: str = "key"  # the URL keyword of `lookup`
    parent: Parent | None = None
    parent_of_user: Callable[[Any, Any], Any] | None = None  # (user, obj) when not obj.<field>
    # The form page's words; `{obj}` in edit_heading is the record.
    create_heading: str = ""
    edit_heading: str = ""
    intro: str = ""
    created: Message = ""
    saved: Message = ""
    return_to: str = "object"  # after saving: "object" (its page) or "parent"
    invalid_status: int = 400
    initial: Callable[[HttpRequest, Any], dict[str, Any]] | None = None  # (request, parent)
    validate: Callable[[Any, Any], None] | None = None  # (form, user): add errors
    # A kind without the generic list names the app's own list page (its URL name, given the
    # parent's key if it has a parent): Cancel, save and delete go back there.
    list_page: str = ""
    detail_page: str = ""  # likewise the URL name of the app's own page of one record
    edit_intro: Message = ""  # the edit page's words about this record, if not `intro`
    delete_heading: str = ""  # the delete page's question, like "Delete this dialogue?"
    # The form's button: (on the add page, on the edit page), like ("Add member", "Save changes").
    buttons: tuple[str, str] = ("Save", "Save")
    form_kwargs: Callable[[Any], dict[str, Any]] | None = None  # (user): more for the form

    # --- words ---

    @property
    def singular(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def plural(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    @property
    def add_label(self) -> str:
        article = "an" if self.singular[0] in "aeiou" else "a"
        return f"Add {article} {self.singular}"

    @property
    def menu_section(self) -> str:
        return self.section or self.key

    # --- data ---

    def queryset(self) -> models.QuerySet[Any]:
        return self.model._default_manager.select_related(*self.select_related)

    def search(self, queryset: models.QuerySet[Any], text: str) -> models.QuerySet[Any]:
        query = Q()
        for name in self.search_fields:
            query |= Q(**{f"{name}__icontains": text})
        return queryset.filter(query)

    def key_of(self, obj: Any) -> Any:
        return getattr(obj, self.lookup)

    def get_for(self, user: Any, key: Any, *, write: bool = False, **scope: Any) -> Any:
        """The record, or 404, or 403 if this user may not see (`write`: change) it: what the
        generic views ask, for an app's own pages of the kind (a record's page, a workflow)."""
        return self.policy.get(self, user, key, write=write, scope=scope)

    def parent_of(self, user: Any, obj: Any) -> Any:
        if self.parent_of_user is not None:
            return self.parent_of_user(user, obj)
        assert self.parent is not None
        return getattr(obj, self.parent.field)

    # --- who may ---

    def can(self, action: str, user: Any, obj: Any = None, parent: Any = None) -> bool:
        """Whether to offer `action` (a link or button) to this user."""
        if action not in self.actions:
            return False
        if self.parent is not None:
            try:
                self.parent.check(user, parent if obj is None else self.parent_of(user, obj), True)
            except PermissionDenied:
                return False
            return True
        if action == "create":
            return self.policy.can_create(user)
        if action == "delete":
            return self.policy.can_delete(user, obj)
        return self.policy.can_edit(user, obj)

    # --- URLs ---

    def url_name(self, action: str) -> str:
        return self.names.get(action) or f"{self.key}_{action}"

    def path_of(self, action: str) -> str:
        if action in self.paths:
            return self.paths[action]
        key = f"<{'uuid' if self.lookup == 'public_id' else 'slug'}:{self.key_kwarg}>"
        base = self.segment
        if self.parent is not None and action in ("list", "create"):
            p = self.parent
            base = f"{p.segment}/<{p.converter}:{p.kwarg}>/{self.segment}"
        return {
            "list": f"{base}/",
            "create": f"{base}/new/",
            "detail": f"{self.segment}/{key}/",
            "edit": f"{self.segment}/{key}/edit/",
            "delete": f"{self.segment}/{key}/delete/",
        }[action]

    def url(self, action: str, obj: Any = None, parent: Any = None) -> str:
        kwargs: dict[str, Any] = {}
        needs_parent = self.parent is not None and f":{self.parent.kwarg}>" in self.path_of(action)
        if obj is not None and action not in ("list", "create"):
            kwargs[self.key_kwarg] = self.key_of(obj)
        if needs_parent:
            assert self.parent is not None
            if parent is None:
                parent = self.parent_of(None, obj)
            kwargs[self.parent.kwarg] = _dotted(parent, self.parent.key)
        return reverse_once(f"{self.namespace}:{self.url_name(action)}", **kwargs)

    def object_url(self, obj: Any) -> str:
        """The record's own page: the generic detail page, or the app's."""
        if "detail" in self.actions:
            return self.url("detail", obj)
        if self.detail_page:
            return reverse(f"{self.namespace}:{self.detail_page}", args=[self.key_of(obj)])
        if not hasattr(obj, "get_absolute_url"):  # a record listed on its app's own page
            return self.list_url(self.parent_of(None, obj) if self.parent is not None else None)
        return str(obj.get_absolute_url())

    def list_url(self, parent: Any = None) -> str:
        if "list" in self.actions:
            return self.url("list", parent=parent)
        if self.list_page:
            keys = [getattr(parent, self.parent.key)] if self.parent and parent is not None else []
            return reverse(f"{self.namespace}:{self.list_page}", args=keys)
        if self.parent is not None and parent is not None:
            return self.parent.url(parent)
        return ""

    def crumb_of(self) -> tuple[str, str]:
        if self.crumb is not None:
            return self.crumb[0], reverse(self.crumb[1])
        return self.plural.capitalize(), self.list_url()

    def urlpatterns(self) -> list[URLPattern]:
        views: dict[str, View] = {
            "list": record_list,
            "create": record_create,
            "detail": record_detail,
            "edit": record_edit,
            "delete": record_delete,
        }
        return [
            path(self.path_of(action), views[action], {"kind": self}, name=self.url_name(action))
            for action in self.actions
        ]


# --- the register ------------------------------------------------------------------------------

_KINDS: dict[str, Kind] = {}


def register(*kinds: Kind) -> None:
    """Declare kinds (from an AppConfig.ready); registering a key again replaces it."""
    for kind in kinds:
        _KINDS[f"{kind.namespace}:{kind.key}"] = kind


def registered(namespace: str | None = None) -> list[Kind]:
    return [k for k in _KINDS.values() if namespace is None or k.namespace == namespace]


def kind_named(key: str, namespace: str = "staff") -> Kind:
    return _KINDS[f"{namespace}:{key}"]


# Sections an app above the base layer adds to a kind's detail page, for records that point at
# it but are not a kind of this namespace (implementation's outputs on a person's page). Each
# is a function from the object to a section as `_related_sections` builds them: heading,
# items (label, url), more, list_url. Registered from AppConfig.ready; one query each, so the
# page's query count stays the same as data grows.
DetailSection = Callable[[Any], dict[str, Any]]
_DETAIL_SECTIONS: dict[str, dict[str, DetailSection]] = {}


def add_detail_section(
    kind: str, key: str, section: DetailSection, namespace: str = "staff"
) -> None:
    """Add (or replace, by key) a section of the detail page of `namespace:kind`."""
    _DETAIL_SECTIONS.setdefault(f"{namespace}:{kind}", {})[key] = section


def kind_for_model(model: type[models.Model]) -> Kind | None:
    """The staff-namespace kind with a detail page for this model (for links), if any."""
    for kind in _KINDS.values():
        if kind.model is model and kind.namespace == "staff" and "detail" in kind.actions:
            return kind
    return None


def urlpatterns(kinds: Iterable[Kind]) -> list[URLPattern]:
    return [pattern for kind in kinds for pattern in kind.urlpatterns()]


# --- the views ---------------------------------------------------------------------------------


def _scope_parent(kind: Kind, request: HttpRequest, scope: dict[str, Any], *, write: bool) -> Any:
    if kind.parent is None:
        return None
    return kind.parent.get(request.user, scope[kind.parent.kwarg], write)


@login_required
@require_safe
def record_list(request: HttpRequest, *, kind: Kind, **scope: Any) -> HttpResponse:
    user = request.user
    access.require_staff(user)
    parent = _scope_parent(kind, request, scope, write=False)
    form = ListFilterForm(request.GET, kind.filters, kind.search_help)
    form.fields["q"].label = f"Search {kind.plural}"
    queryset = kind.queryset()
    if parent is not None and kind.parent is not None and kind.parent.field:
        queryset = queryset.filter(**{kind.parent.field: parent})
    form.is_valid()  # a filter with a bad value is left out, and shows its error
    cleaned = form.cleaned_data
    text = (cleaned.get("q") or "").strip()
    if text:
        queryset = kind.search(queryset, text)
    for list_filter in kind.filters:
        value = cleaned.get(list_filter.name)
        if value not in (None, ""):
            queryset = list_filter.apply(queryset, value)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "url": kind.object_url(obj),
            "label": str(obj),
            "cells": [column.value(obj) for column in kind.columns],
            "edit_url": kind.url("edit", obj) if kind.can("edit", user, obj) else "",
        }
        for obj in page.object_list
    ]
    can_create = kind.can("create", user, parent=parent)
    return render_staff(
        request,
        "staff/object_list.html",
        {
            "kind": kind,
            "list_url": kind.list_url(parent),
            "form": form,
            "page": page,
            "rows": rows,
            "create_url": kind.url("create", parent=parent) if can_create else "",
        },
        section=kind.menu_section,
    )


def _detail_rows(kind: Kind, obj: Any) -> list[dict[str, Any]]:
    """The object's form fields as label, value text and (for staff records) a link."""
    labels = field_labels(kind.form_class)
    rows = []
    for name in kind.form_class._meta.fields or ():
        model_field = kind.model._meta.get_field(name)
        url = ""
        if model_field.many_to_many:
            value: Any = list(getattr(obj, name).all())
        elif getattr(model_field, "choices", None):
            value = getattr(obj, f"get_{name}_display")()
        else:
            value = getattr(obj, name)
        if isinstance(value, list):
            text = shown([str(item) for item in value])
        elif isinstance(value, dt.date):
            text = shown(value.isoformat())
        elif hasattr(value, "get_username"):
            text = value.get_username()
        else:
            text = shown(value)
        related_kind = kind_for_model(type(value)) if isinstance(value, models.Model) else None
        if related_kind is not None:
            url = related_kind.url("detail", value)
        label = labels.get(name) or field_label(kind.model, name)
        rows.append({"label": label, "text": text, "url": url})
    return rows


def _period(item: Any) -> str:
    start, end = getattr(item, "start", None), getattr(item, "end", None)
    if start and end:
        return f" ({date_format(start, 'j M Y')} to {date_format(end, 'j M Y')})"
    if start:
        return f" (from {date_format(start, 'j M Y')})"
    return ""


def _related_label(other: Kind, item: Any, back_field: str) -> str:
    """Two telling columns of a related row, leaving out the object it is listed under."""
    parts = []
    for column in other.columns:
        if column.path in (back_field, "start", "end"):
            continue
        value = column.value(item)
        if value not in (None, ""):
            parts.append(str(value))
        if len(parts) == 2:
            break
    return (" – ".join(parts) or str(item)) + _period(item)


def _related_sections(kind: Kind, obj: Any) -> list[dict[str, Any]]:
    sections = []
    for related in kind.related:
        other = kind_named(related.kind, kind.namespace)
        items = list(other.queryset().filter(**{related.field: obj})[: RELATED_SHOWN + 1])
        list_url = ""
        if any(f.name == related.field for f in other.filters) and hasattr(obj, "slug"):
            list_url = other.url("list") + "?" + urlencode({related.field: obj.slug})
        sections.append(
            {
                "heading": related.heading,
                "items": [
                    {
                        "label": _related_label(other, item, related.field),
                        "url": other.object_url(item),
                    }
                    for item in items[:RELATED_SHOWN]
                ],
                "more": len(items) > RELATED_SHOWN,
                "list_url": list_url,
            }
        )
    for section in _DETAIL_SECTIONS.get(f"{kind.namespace}:{kind.key}", {}).values():
        sections.append(section(obj))
    return sections


def _get(kind: Kind, request: HttpRequest, scope: dict[str, Any], *, write: bool) -> Any:
    key = scope.pop(kind.key_kwarg)
    return kind.policy.get(kind, request.user, key, write=write, scope=scope)


@login_required
@require_safe
def record_detail(request: HttpRequest, *, kind: Kind, **scope: Any) -> HttpResponse:
    user = request.user
    obj = _get(kind, request, scope, write=False)
    history, history_items = history_page(
        obj, request.GET.get("page"), field_labels(kind.form_class)
    )
    can_edit = kind.can("edit", user, obj)
    can_delete = kind.can("delete", user, obj)
    return render_staff(
        request,
        "staff/object_detail.html",
        {
            "kind": kind,
            "list_url": kind.list_url(),
            "object": obj,
            "object_label": str(obj),
            "fields": _detail_rows(kind, obj),
            "related": _related_sections(kind, obj),
            "history": history,
            "history_rows": history_items,
            "edit_url": kind.url("edit", obj) if can_edit else "",
            "delete_url": kind.url("delete", obj) if can_delete else "",
            "contact_url": _contact_url(obj),
        },
        section=kind.menu_section,
    )


def _contact_url(obj: Any) -> str:
    """The page of the person's one contact (coproduce/contacts), for a record that has one."""
    contact_id = getattr(obj, "contact_id", None)
    if contact_id is None:
        return ""
    from coproduce.contacts.models import Contact

    public_id = Contact.objects.filter(pk=contact_id).values_list("public_id", flat=True).first()
    return reverse("staff:contact", args=[public_id]) if public_id else ""


def _message(message: Message, obj: Any, default: str) -> str:
    if callable(message):
        return message(obj)
    return message or default


def _form(kind: Kind, request: HttpRequest, parent: Any, instance: Any, initial: Any) -> Any:
    kwargs: dict[str, Any] = {"instance": instance}
    if kind.parent is not None and kind.parent.form_kwarg:
        kwargs[kind.parent.field] = parent
    if kind.form_kwargs is not None:
        kwargs.update(kind.form_kwargs(request.user))
    if request.method == "POST":
        return kind.form_class(request.POST, request.FILES or None, **kwargs)
    return kind.form_class(initial=initial, **kwargs)


def _valid(kind: Kind, request: HttpRequest, form: Any) -> bool:
    if request.method != "POST" or not form.is_valid():
        return False
    if kind.validate is not None:
        kind.validate(form, request.user)
    return not form.errors


def _after_save(kind: Kind, obj: Any, parent: Any) -> str:
    if kind.return_to == "parent" and kind.parent is not None:
        return kind.parent.url(parent)
    return kind.object_url(obj)


def _form_response(
    kind: Kind, request: HttpRequest, form: Any, parent: Any, obj: Any = None
) -> HttpResponse:
    editing_ = obj is not None
    if editing_:
        heading = (kind.edit_heading or f"Edit {kind.singular}").format(obj=obj)
        cancel = _after_save(kind, obj, parent)
        action = kind.url("edit", obj, parent)
    else:
        heading = kind.create_heading or kind.add_label
        cancel = kind.parent.url(parent) if kind.parent is not None else kind.list_url()
        action = kind.url("create", parent=parent)
    crumb = kind.crumb_of()
    in_registry = kind.parent is None
    return form_page(
        request,
        form,
        section=kind.menu_section,
        heading=heading,
        caption=kind.parent.caption(parent) if kind.parent is not None else "",
        intro=_message(kind.edit_intro, obj, kind.intro) if editing_ else kind.intro,
        action=action,
        cancel_url=cancel,
        crumb=crumb,
        object_label=str(obj) if editing_ and in_registry else "",
        object_url=kind.object_url(obj) if editing_ and in_registry else "",
        multipart=form.is_multipart(),
        invalid_status=kind.invalid_status,
        button=kind.buttons[1] if editing_ else kind.buttons[0],
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_create(request: HttpRequest, *, kind: Kind, **scope: Any) -> HttpResponse:
    if kind.parent is not None:
        parent = _scope_parent(kind, request, scope, write=True)
    else:
        parent = None
        kind.policy.require_create(request.user)
    instance = kind.model()
    if parent is not None and kind.parent is not None and kind.parent.field:
        setattr(instance, kind.parent.field, parent)
    initial = kind.initial(request, parent) if kind.initial is not None else None
    form = _form(kind, request, parent, instance, initial)
    if _valid(kind, request, form):
        obj, _ = editing.save_with_audit(form, request.user)
        messages.success(
            request, _message(kind.created, obj, f"{kind.singular.capitalize()} “{obj}” added.")
        )
        return redirect(_after_save(kind, obj, parent))
    return _form_response(kind, request, form, parent)


@login_required
@require_http_methods(["GET", "POST"])
def record_edit(request: HttpRequest, *, kind: Kind, **scope: Any) -> HttpResponse:
    obj = _get(kind, request, scope, write=True)
    parent = kind.parent_of(request.user, obj) if kind.parent is not None else None
    # Taken before the form is bound: validating a form writes its values onto the instance.
    before = snapshot(obj)
    form = _form(kind, request, parent, obj, None)
    if _valid(kind, request, form):
        obj, changes = editing.save_with_audit(form, request.user, before)
        if changes:
            messages.success(request, _message(kind.saved, obj, f"Changes to “{obj}” saved."))
        else:
            messages.info(request, "Nothing was changed.")
        return redirect(_after_save(kind, obj, parent))
    return _form_response(kind, request, form, parent, obj)


@login_required
@require_http_methods(["GET", "POST"])
def record_delete(request: HttpRequest, *, kind: Kind, **scope: Any) -> HttpResponse:
    obj = _get(kind, request, scope, write=True)
    kind.policy.require_delete(request.user, obj)
    parent = kind.parent_of(request.user, obj) if kind.parent is not None else None
    label, detail_url = str(obj), kind.object_url(obj)
    gone_to = kind.list_url(parent)
    blockers = editing.blockers_for(obj)
    if request.method == "POST" and not blockers:
        try:
            editing.delete_with_audit(obj, request.user)
        except (ProtectedError, RestrictedError) as error:
            # Someone added a reference between showing the page and pressing the button.
            blockers = editing.blockers_from(error)
        else:
            messages.success(request, f"{kind.singular.capitalize()} “{label}” deleted.")
            return redirect(gone_to)
    refused = request.method == "POST" and bool(blockers)
    return render_staff(
        request,
        "staff/object_confirm_delete.html",
        {
            "kind": kind,
            "list_url": gone_to,
            "object_label": label,
            "detail_url": detail_url,
            "delete_url": kind.url("delete", obj),
            "blockers": blockers,
            "refused": refused,
            "heading": kind.delete_heading,
        },
        section=kind.menu_section,
        status=409 if refused else 200,
    )
