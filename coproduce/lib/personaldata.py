"""The personal-data register: for every model, what it holds about a person and what happens to it.

One declared `Rule` per model holding personal data says which fields are personal, how the rows
about one person are found (by their address, or by keys such as their associate or person ids),
what erasure does (delete the rows, blank the fields, keep them for a stated reason, or run the
app's own eraser), how long rows are kept (in words, and the setting that holds the period),
why we hold it (the purpose) and who sees it. Models that hold nothing about a person are
declared too, with the reason (`declare_not_personal`), so that `tests/lib/test_personal_data_
register.py` can enumerate every installed model and fail on one nobody has thought about.

Each app declares its own rules from its AppConfig.ready (as staff/navigation.py collects menu
sections), so this module, in the lowest layer, imports no app. The same rules answer the three
questions the law asks of us:

- right of access (UK GDPR Art 15; ICO, "Right of access"): `record(subject)` is every row about
  the person in every table, by model;
- right to erasure (Art 17; ICO, "Right to erasure"): `erase(subject)` applies every rule in one
  transaction, then removes what the data folder holds about them (`register_files`);
- records of processing (Art 30) and storage limitation (Art 5(1)(e)): `rules()` lists purpose,
  retention and recipients for the staff page and docs/operations.md.

The person (the "subject") is found from an email address, or several: apps register address
resolvers (`register_addresses`: the contacts app answers with every address of the contact
holding one, so a person who used two addresses is one subject) and key resolvers
(`register_key`) that turn each address into ids ("associate", "person", "user", ...) before
anything is changed, so erasing one table never hides rows of another.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone

# Sent by `erase` inside its transaction, with `subject`: erasure blanks rows with
# `QuerySet.update()`, which sends no save signals, so what derives from the data (the page
# cache's data generation, stored figures) listens for this instead.
erased = Signal()


class Erasure(enum.StrEnum):
    DELETE = "delete"  # the rows go
    BLANK = "blank"  # the rows stay, their personal fields are overwritten
    KEEP = "keep"  # the rows stay as they are, for the reason given (they hold no personal field)
    CUSTOM = "custom"  # the app's own eraser (it says what it does in `erasure_note`)


@dataclass(frozen=True)
class Subject:
    """One person: their normalised addresses, the ids each key resolver found, and their names.

    `emails` is every address (the first is `email`, their main one); give either or both:
    `Subject("jo@example.org")`, `Subject(emails=("jo@example.org", "jo@work.example"))`."""

    email: str = ""
    keys: Mapping[str, frozenset[int]] = field(default_factory=dict)
    names: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        every = tuple(dict.fromkeys(a for a in (self.email, *self.emails) if a))
        object.__setattr__(self, "emails", every)
        object.__setattr__(self, "email", every[0] if every else "")

    def ids(self, key: str) -> frozenset[int]:
        return self.keys.get(key, frozenset())

    @property
    def terms(self) -> tuple[str, ...]:
        """What identifies them in free text: the address, and every name that is a full name
        (two words or more) or a single word of six letters or more. A short single name ("Sam")
        would match other people's text; erased rows' placeholders are not names. Every address
        of theirs is a term."""
        found = list(self.emails)
        for name in self.names:
            name = " ".join(name.split())
            if name.lower().startswith("erased "):
                continue
            if len(name.split()) >= 2 or len(name) >= 6:
                found.append(name)
        return tuple(dict.fromkeys(t for t in found if t))

    def pattern(self) -> re.Pattern[str] | None:
        """The terms as whole words (not inside a longer word or address), ignoring case."""
        return words_pattern(self.terms)

    def mentioned_in(self, text: str) -> bool:
        pattern = self.pattern()
        return bool(pattern and text and pattern.search(text))


def words_pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    words = sorted({t for t in terms if t}, key=len, reverse=True)
    if not words:
        return None
    return re.compile(
        r"(?<![\w.+-])(?:" + "|".join(map(re.escape, words)) + r")(?![\w-]|\.\w)", re.I
    )


Finder = Callable[[Subject], "models.QuerySet | models.Q"]
QFinder = Callable[[Subject], models.Q]
# An app's own eraser: (subject, its rows, when, who erases: a user or None) -> what it did.
Eraser = Callable[[Subject, models.QuerySet, dt.datetime, Any], object]


@dataclass(frozen=True)
class Rule:
    model: str  # "app_label.ModelName"
    fields: tuple[str, ...]  # the personal fields (may be empty: a row linked to the person)
    find: Finder
    erasure: Erasure
    erasure_note: str  # what erasure does, or why the rows are kept
    purpose: str
    who_sees: str
    retention: str  # in words
    retention_setting: str | None = None  # the setting holding the period, if any
    blank: Mapping[str, Any] = field(default_factory=dict)  # BLANK: field -> value or f(row)
    eraser: Eraser | None = None  # CUSTOM
    name_fields: tuple[str, ...] = ()  # fields holding the person's name (for Subject.names)
    # (address, name, organisation or None) lookups: the rows take part in the contact index
    # (`contacts()`, `duplicates()`): one person across roles, and likely duplicates.
    identity: tuple[str, str, str | None] | None = None
    # (key, foreign key attname): when two records of that key are merged, rows pointing at
    # the one merged away are pointed at the one kept (`repoint`).
    repoint: tuple[str, str] | None = None
    order: int = 100  # erasure order: lower first
    # The lookup from a row to its study's id, for rows that belong to a study: a researcher
    # reading a contact sees only such rows, of their own studies (`record(study_ids=...)`).
    # Left unset, a model with a `study` field uses "study_id"; without one, the rows are
    # not a study's.
    study: str | None = None

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    @property
    def verbose_name(self) -> str:
        return str(self.model_class._meta.verbose_name_plural).capitalize()


_RULES: dict[str, Rule] = {}
_NOT_PERSONAL: dict[str, str] = {}
_KEYS: dict[str, Callable[[str], Iterable[int]]] = {}
_ADDRESSES: dict[str, Callable[[str], Iterable[str]]] = {}
_FILES: dict[str, tuple[Callable[[Subject], list[dict[str, Any]]], Callable[[Subject], int]]] = {}


def register(rule: Rule) -> None:
    """Declare a model's rule (apps call this from AppConfig.ready); declaring again replaces."""
    _RULES[rule.model] = rule


def declare_not_personal(model: str, reason: str) -> None:
    """Declare that a model holds nothing about a person, and why."""
    _NOT_PERSONAL[model] = reason


def register_key(name: str, resolve: Callable[[str], Iterable[int]]) -> None:
    """Add a key: given a normalised address, the ids of that kind it identifies."""
    _KEYS[name] = resolve


def register_addresses(resolve: Callable[[str], Iterable[str]]) -> None:
    """Add an address resolver: given a normalised address, the other addresses of the same
    person (e.g. every address of the contact holding it). `subject_for` follows them all."""
    _ADDRESSES[f"{resolve.__module__}.{resolve.__qualname__}"] = resolve


def register_files(
    name: str,
    find: Callable[[Subject], list[dict[str, Any]]],
    erase: Callable[[Subject], int],
) -> None:
    """Add a place in the data folder that can hold personal data: `find` describes what it
    holds about a subject (for the record), `erase` removes it (after the erasure commits)."""
    _FILES[name] = (find, erase)


def rules() -> list[Rule]:
    return sorted(_RULES.values(), key=lambda r: (r.model.split(".")[0], r.model))


def rule_for(model: str) -> Rule | None:
    return _RULES.get(model)


def not_personal() -> dict[str, str]:
    return dict(_NOT_PERSONAL)


def file_places() -> list[str]:
    return sorted(_FILES)


# Finders -------------------------------------------------------------------------------------


def by(*, email: Iterable[str] = (), keys: Iterable[tuple[str, str]] = ()) -> QFinder:
    """Rows matching any of: an address field holding any of the subject's addresses
    (case-insensitively), or a foreign key field holding one of the subject's ids of a key,
    given as (key, field) pairs."""
    email_fields, key_fields = tuple(email), tuple(keys)

    def find(subject: Subject) -> models.Q:
        q = models.Q(pk__in=[])
        for address in subject.emails:
            for name in email_fields:
                q |= models.Q(**{f"{name}__iexact": address})
        for key, name in key_fields:
            if ids := subject.ids(key):
                q |= models.Q(**{f"{name}__in": sorted(ids)})
        return q

    return find


def by_email(*fields: str) -> QFinder:
    return by(email=fields)


def by_key(key: str, field: str) -> QFinder:
    return by(keys=[(key, field)])


def _queryset(rule: Rule, subject: Subject) -> models.QuerySet:
    found = rule.find(subject)
    if isinstance(found, models.Q):
        return rule.model_class._default_manager.filter(found)
    return found


def rows(rule: Rule, subject: Subject) -> models.QuerySet:
    """The rows of `rule`'s model about the subject."""
    return _queryset(rule, subject)


# The subject ---------------------------------------------------------------------------------


def addresses_for(email: str | Iterable[str] | None) -> tuple[str, ...]:
    """The addresses given (normalised: trimmed, lower case; the first stays first) and every
    other address of the same person the address resolvers know (`register_addresses`)."""
    given = [email] if email is None or isinstance(email, str) else list(email)
    found = list(dict.fromkeys(a for a in ((g or "").strip().lower() for g in given) if a))
    waiting = list(found)
    while waiting:
        address = waiting.pop(0)
        for resolve in _ADDRESSES.values():
            for other in resolve(address):
                other = (other or "").strip().lower()
                if other and other not in found:
                    found.append(other)
                    waiting.append(other)
    return tuple(found)


def subject_for(email: str | Iterable[str] | None, **known: Iterable[int]) -> Subject:
    """The person with this address, or these addresses (`addresses_for`: with every other
    address of theirs the register knows), with every key resolved for each address and the
    names the register's rows give them; `known` adds ids the caller already has."""
    addresses = addresses_for(email)
    keys: dict[str, set[int]] = {name: set(ids) for name, ids in known.items()}
    for address in addresses:
        for name, resolve in _KEYS.items():
            keys.setdefault(name, set()).update(resolve(address))
    subject = Subject(emails=addresses, keys={k: frozenset(v) for k, v in keys.items()})
    names: list[str] = []
    for rule in rules():
        if rule.name_fields:
            for values in rows(rule, subject).values_list(*rule.name_fields):
                names.append(" ".join(str(v) for v in values if v).strip())
    return Subject(
        emails=addresses, keys=subject.keys, names=tuple(dict.fromkeys(n for n in names if n))
    )


# Right of access -----------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return f"({len(value)} bytes)"
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, dict | list):
        return json.loads(json.dumps(value, default=str))
    return str(value)


def describe(row: models.Model) -> dict[str, Any]:
    """Every concrete field of a row, in plain JSON values (foreign keys as their ids)."""
    return {f.attname: _plain(getattr(row, f.attname)) for f in row._meta.concrete_fields}


def study_path(rule: Rule) -> str | None:
    """The lookup from a row of the rule's model to its study id, or None (see Rule.study)."""
    if rule.study:
        return rule.study
    names = {f.name for f in rule.model_class._meta.concrete_fields}
    return "study_id" if "study" in names else None


def record(subject: Subject, *, study_ids: Iterable[int] | None = None) -> dict[str, Any]:
    """Everything held about the subject: each register table's rows, and the data folder's.

    With `study_ids` (a researcher's view), only the rows that belong to one of those studies
    (tables with a study path, `study_path`), and no files."""
    tables: dict[str, Any] = {}
    scope = None if study_ids is None else sorted(set(study_ids))
    for rule in rules():
        queryset = rows(rule, subject)
        if scope is not None:
            path = study_path(rule)
            if path is None:
                continue
            queryset = queryset.filter(**{f"{path}__in": scope})
        found = [describe(row) for row in queryset.order_by("pk")]
        tables[rule.model] = {
            "name": rule.verbose_name,
            "purpose": rule.purpose,
            "personal_fields": list(rule.fields),
            "retention": rule.retention,
            "who_sees": rule.who_sees,
            "rows": found,
        }
    files = (
        {}
        if scope is not None
        else {name: find(subject) for name, (find, _erase) in sorted(_FILES.items())}
    )
    return {
        "email": subject.email,
        "emails": list(subject.emails),
        "names": list(subject.names),
        "made": timezone.now().isoformat(),
        "tables": tables,
        "files": files,
    }


# Erasure -------------------------------------------------------------------------------------


def redact(value: Any, terms: Iterable[str], replacement: str = "[erased]") -> Any:
    """`value` (text, or JSON of lists and dicts) with every term replaced as a whole word,
    ignoring case."""
    words = [t for t in terms if t]
    pattern = words_pattern(words)
    if pattern is None:
        return value
    if isinstance(value, str):
        return pattern.sub(replacement, value)
    if isinstance(value, list):
        return [redact(v, words, replacement) for v in value]
    if isinstance(value, dict):
        return {
            redact(k, words, replacement): redact(v, words, replacement) for k, v in value.items()
        }
    return value


def text_mentions(model: type[models.Model], fields: Iterable[str], subject: Subject) -> models.Q:
    """Rows whose text fields mention one of the subject's addresses or names as whole words (a
    finder's Q): the database narrows by substring, then each candidate is checked."""
    names = tuple(fields)
    q = models.Q(pk__in=[])
    for term in subject.terms:
        for name in names:
            q |= models.Q(**{f"{name}__icontains": term})
    if not subject.terms:
        return q
    pks = [
        row[0]
        for row in model._default_manager.filter(q).values_list("pk", *names)
        if any(subject.mentioned_in(str(value or "")) for value in row[1:])
    ]
    return models.Q(pk__in=pks)


def _blank(rule: Rule, queryset: models.QuerySet) -> int:
    changed = 0
    for row in queryset:
        values = {k: (v(row) if callable(v) else v) for k, v in rule.blank.items()}
        rule.model_class._default_manager.filter(pk=row.pk).update(**values)
        changed += 1
    return changed


def erase(subject: Subject, *, at: dt.datetime | None = None, by: Any = None) -> dict[str, object]:
    """Apply every rule to the subject's rows in one transaction; after it commits, remove what
    the data folder holds about them. Returns what each rule did, by model."""
    now = at or timezone.now()
    done: dict[str, object] = {}
    with transaction.atomic():
        for rule in sorted(_RULES.values(), key=lambda r: (r.order, r.model)):
            queryset = rows(rule, subject)
            if rule.erasure is Erasure.DELETE:
                done[rule.model] = queryset.delete()[0]
            elif rule.erasure is Erasure.BLANK:
                done[rule.model] = _blank(rule, queryset)
            elif rule.erasure is Erasure.CUSTOM:
                assert rule.eraser is not None, rule.model
                done[rule.model] = rule.eraser(subject, queryset, now, by)
            else:
                done[rule.model] = "kept"
        erased.send(sender=Subject, subject=subject)

        def _files() -> None:
            for name, (_find, erase_files) in sorted(_FILES.items()):
                done[f"files:{name}"] = erase_files(subject)

        transaction.on_commit(_files)
    return done


# The record as a document ---------------------------------------------------------------------


def record_pdf(found: dict[str, Any]) -> bytes:
    """The record (`record()`) as a readable PDF: a heading per table with its purpose, who
    sees it and how long it is kept, then each row's fields; then the data folder's files."""
    from coproduce.lib.pdf import FAMILY, clean, document

    title = clean(f"Personal data held about {found['email'] or 'this person'}")
    out = document(title=title)
    out.set_auto_page_break(auto=True, margin=15)
    out.add_page()
    width = out.epw
    out.set_font(FAMILY, "B", 16)
    out.multi_cell(width, 8, title)
    out.set_font(FAMILY, "", 10)
    out.multi_cell(width, 5, clean(f"Made {found['made']}. Names: {', '.join(found['names'])}"))
    if len(found.get("emails", [])) > 1:
        out.multi_cell(width, 5, clean(f"Addresses: {', '.join(found['emails'])}"))
    for table in found["tables"].values():
        if not table["rows"]:
            continue
        out.ln(4)
        out.set_font(FAMILY, "B", 13)
        out.multi_cell(width, 7, clean(f"{table['name']} ({len(table['rows'])})"))
        out.set_font(FAMILY, "", 9)
        out.multi_cell(
            width,
            4.5,
            clean(
                f"Why: {table['purpose']}. Who sees it: "
                f"{table['who_sees']}. Kept: {table['retention']}."
            ),
        )
        for row in table["rows"]:
            out.ln(1.5)
            out.set_font(FAMILY, "", 10)
            for name, value in row.items():
                if value in (None, "", [], {}):
                    continue
                out.multi_cell(width, 5, clean(f"{name}: {value}"))
    for place, files in found["files"].items():
        if not files:
            continue
        out.ln(4)
        out.set_font(FAMILY, "B", 13)
        out.multi_cell(width, 7, clean(f"Files: {place} ({len(files)})"))
        out.set_font(FAMILY, "", 10)
        for item in files:
            out.multi_cell(width, 5, clean(", ".join(f"{k}: {v}" for k, v in item.items())))
    return bytes(out.output())


def rows_found(found: dict[str, Any]) -> int:
    return sum(len(t["rows"]) for t in found["tables"].values()) + sum(
        len(f) for f in found["files"].values()
    )


def processing_markdown() -> str:
    """The register of processing (UK GDPR Art 30) as Markdown, made from the rules:
    docs/processing-register.md is this text (`coproduce processingregister` writes it, and a
    test fails when the file and the rules differ)."""

    def cell(text: str) -> str:
        return " ".join(str(text).split()).replace("|", "\\|")

    lines = [
        "# Register of processing",
        "",
        "Made from the personal-data register in code (`coproduce/lib/personaldata.py` and each",
        "app's `personal_data.py`) by `coproduce processingregister`; do not edit by hand. The",
        "staff area shows the same at `/staff/personal-data/register/`.",
        "",
        "| table | personal fields | purpose | who sees it | kept | on erasure |",
        "|---|---|---|---|---|---|",
    ]
    for rule in rules():
        fields = ", ".join(rule.fields) or "none of its own (linked to the person)"
        kept = rule.retention + (
            f" (setting `{rule.retention_setting}`)" if rule.retention_setting else ""
        )
        lines.append(
            "| "
            + " | ".join(
                cell(v)
                for v in (
                    f"{rule.verbose_name} (`{rule.model}`)",
                    fields,
                    rule.purpose,
                    rule.who_sees,
                    kept,
                    f"**{rule.erasure}**: {rule.erasure_note}",
                )
            )
            + " |"
        )
    lines += ["", "## Files", ""]
    lines += [f"- {place}: messages naming the person" for place in file_places()]
    lines += ["", "## Tables with no personal data", ""]
    lines += [f"- `{label}`: {reason}" for label, reason in sorted(_NOT_PERSONAL.items())]
    return "\n".join(lines) + "\n"


# One person across roles; likely duplicates ---------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One row that stands for a person in some role (an associate, a booking, an enquiry...)."""

    model: str
    role: str
    pk: int
    email: str
    name: str
    organisation: str


def _plain_name(text: str) -> str:
    """A name or organisation for comparison: accents dropped, case folded, spaces collapsed."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text or "")
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w\s]", " ", letters.casefold()).split())


def contacts() -> list[Entry]:
    """Every row of a rule with an identity, as entries (addresses normalised)."""
    found: list[Entry] = []
    for rule in rules():
        if rule.identity is None:
            continue
        email_field, name_field, organisation_field = rule.identity
        fields = [email_field, name_field] + ([organisation_field] if organisation_field else [])
        for pk, *values in rule.model_class._default_manager.values_list("pk", *fields).iterator():
            email = (values[0] or "").strip().lower()
            if not email or email.endswith("@erased.invalid"):
                continue
            organisation = values[2] if organisation_field else ""
            found.append(
                Entry(rule.model, rule.verbose_name, pk, email, values[1] or "", organisation or "")
            )
    return found


def duplicates() -> dict[str, list[list[Entry]]]:
    """Likely duplicates, for staff to review (after CiviCRM's dedupe rules: a strict rule on
    the address, a looser one on name and organisation):

    - "across_roles": one address in several tables: one person in several roles (the register
      already treats them as one for access and erasure);
    - "same_mailbox": different spellings of one mailbox (case, a plus tag, Gmail dots:
      `lib/identifiers.mailbox_key`), e.g. an associate as jo+news@ and a booking as jo@;
    - "same_name_and_organisation": the same name (accents, case and punctuation ignored) and
      organisation under different mailboxes, in tables that record an organisation.
    """
    from coproduce.lib.identifiers import mailbox_key

    entries = contacts()
    by_address: dict[str, list[Entry]] = {}
    by_mailbox: dict[str, list[Entry]] = {}
    by_name: dict[tuple[str, str], list[Entry]] = {}
    for entry in entries:
        by_address.setdefault(entry.email, []).append(entry)
        by_mailbox.setdefault(mailbox_key(entry.email), []).append(entry)
        if entry.organisation and _plain_name(entry.name):
            key = (_plain_name(entry.name), _plain_name(entry.organisation))
            by_name.setdefault(key, []).append(entry)
    return {
        "across_roles": [
            group for group in by_address.values() if len({e.model for e in group}) > 1
        ],
        "same_mailbox": [
            group for group in by_mailbox.values() if len({e.email for e in group}) > 1
        ],
        "same_name_and_organisation": [
            group for group in by_name.values() if len({mailbox_key(e.email) for e in group}) > 1
        ],
    }


def timeline(found: dict[str, Any]) -> list[dict[str, Any]]:
    """The record's rows in time order: each row at its first date or time field."""
    events: list[dict[str, Any]] = []
    for label, table in found["tables"].items():
        model = apps.get_model(label)
        dated = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.DateTimeField | models.DateField)
        ]
        for row in table["rows"]:
            at = next((row[name] for name in dated if row.get(name)), None)
            if at:
                events.append(
                    {"at": str(at), "table": table["name"], "model": label, "id": row.get("id")}
                )
    return sorted(events, key=lambda e: e["at"])


def repoint(key: str, keep: int, other: int) -> dict[str, int]:
    """Merging two records of `key` (e.g. two associates): every register table declaring
    `repoint` on that key has its rows moved from `other` to `keep`. Run inside the merge's
    transaction."""
    moved: dict[str, int] = {}
    for rule in rules():
        if rule.repoint and rule.repoint[0] == key:
            field = rule.repoint[1]
            moved[rule.model] = rule.model_class._default_manager.filter(**{field: other}).update(
                **{field: keep}
            )
    return moved
