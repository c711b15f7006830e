"""Import associates from a CSV or Excel file: all or nothing, idempotent, in bulk.

Two passes. The first reads and checks every row and collects every problem as (row, column,
message); if there is any, nothing is written. The second writes everything in one
transaction with a bounded number of bulk queries (chunks of a few hundred rows), never one
round trip per row, so that 100,000 rows take seconds.

What a row means:
- a new address creates an active associate (the people on an imported list were already on
  a list, so there is no confirmation email); a known address updates that associate;
- `cops` and `interests` only ever add: an import never removes anyone from anything;
- engage / briefing / events: "yes" grants, "no" withdraws, blank records nothing. Consent is
  never invented, and a decision the person made after the file's consent date stands;
- an address suppressed by an erasure is skipped and never re-added.
Importing the same file twice changes nothing the second time.

Consent is written here in bulk rather than through `services.record_consent` (one query per
change) but keeps its two rules: every change is an appended ConsentRecord naming the wording,
and the associate's cached state is updated in the same transaction.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import hmac
import io
import os
import re
import uuid
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, TypeVar, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from coproduce.audit.log import record
from coproduce.community.models import (
    Associate,
    Channel,
    CommunityOfPractice,
    ConsentRecord,
    ConsentWording,
    Membership,
    SuppressedAddress,
)
from coproduce.community.services import refresh_member_counts
from coproduce.lib.exports import unguard
from coproduce.lib.identifiers import normalise_email
from coproduce.registry.models import Theme
from coproduce.security.uploads import DIRECTORY_MAX_BYTES

MAX_ROWS = 200_000
MAX_BYTES = DIRECTORY_MAX_BYTES
ERRORS_SHOWN = 100
CHUNK = 500  # rows per IN (...) query: under SQLite's 999 bound parameters
IMPORT_CACHE_KIB = 256 * 1024  # SQLite page cache while an import writes (see _large_cache)

COLUMNS = (
    "full_name",
    "email",
    "organisation",
    "role",
    "cops",
    "interests",
    "engage",
    "briefing",
    "events",
    "consent_date",
)
REQUIRED = ("full_name", "email")
# Columns the directory's export adds: accepted, so an export can be corrected and re-imported,
# and ignored.
IGNORED = ("status", "joined")
CHANNELS = tuple(Channel.values)
NOT_GIVEN = (False,) * len(CHANNELS)  # a channel the row leaves blank: no consent
YES = frozenset({"yes", "y", "true"})
NO = frozenset({"no", "n", "false"})
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class _EmailValidator(EmailValidator):
    """Django's EmailValidator, quicker over a whole file: its user-part pattern compiled
    once (not looked up through a lazy object per call), and each domain checked once (a
    file holds thousands of addresses at a handful of domains; the check depends on the
    domain alone)."""

    user_regex = re.compile(EmailValidator.user_regex.pattern, EmailValidator.user_regex.flags)

    def __init__(self) -> None:
        super().__init__()
        self._domains: dict[str, bool] = {}

    def validate_domain_part(self, domain_part: str) -> bool:
        known = self._domains.get(domain_part)
        if known is None:
            known = bool(super().validate_domain_part(domain_part))
            if len(self._domains) < 10_000:
                self._domains[domain_part] = known
        return known


_validate_email = _EmailValidator()
T = TypeVar("T")


@dataclass(frozen=True)
class RowError:
    """One problem. Rows are numbered as a spreadsheet shows them: the header is row 1.

    Row 0 is the file as a whole (empty, unreadable, too long).
    """

    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    filename: str
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    suppressed: int = 0
    memberships_added: int = 0
    interests_added: int = 0
    consent_records: int = 0
    consent_kept_newer: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def errors_shown(self) -> list[RowError]:
        return self.errors[:ERRORS_SHOWN]

    @property
    def errors_not_shown(self) -> int:
        return max(0, len(self.errors) - ERRORS_SHOWN)

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "suppressed": self.suppressed,
            "memberships_added": self.memberships_added,
            "interests_added": self.interests_added,
            "consent_records": self.consent_records,
            "consent_kept_newer": self.consent_kept_newer,
        }


@dataclass(slots=True)
class _Row:
    number: int
    full_name: str
    email: str
    organisation: str
    role: str
    cop_ids: tuple[int, ...]
    theme_ids: tuple[int, ...]
    consents: dict[str, bool]
    consent_date: dt.date | None


class FileProblem(Exception):
    """The file as a whole cannot be read; carries the errors to show."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(errors[0].message if errors else "")
        self.errors = errors


def _chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- reading -------------------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if type(value) is str:  # every CSV cell: the quick path
        text = value.strip()
        return unguard(text) if text[:1] == "'" else text
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    # Undo the guard our own exports put before text a spreadsheet would run as a formula.
    return unguard(text)


def _rows_from_csv(data: bytes) -> Iterator[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileProblem(_encoding_errors(data)) from None
    first_line = text.split("\n", 1)[0]
    # Excel saves with semicolons in some locales; the header holds no other punctuation.
    delimiter = max((",", ";", "\t"), key=first_line.count)
    rows_read = 0
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
            rows_read += 1
            cells = list(map(str.strip, row))
            # The quick path: no cell starts with the apostrophe our exports' guard adds.
            if "\x00'" in "\x00" + "\x00".join(cells):
                cells = [_cell_text(cell) for cell in cells]
            yield cells
    except csv.Error as error:
        message = f"This row is not well-formed CSV ({error}). Check its quotation marks."
        raise FileProblem([RowError(rows_read + 1, "", message)]) from None


def _encoding_errors(data: bytes) -> list[RowError]:
    """Where the bytes that are not UTF-8 are: each row and column holding one."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig", errors="replace"), newline="")))
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    advice = (
        "it is not saved as UTF-8 text. In Excel choose Save As, then "
        "“CSV UTF-8 (Comma delimited)”, and upload the file again."
    )
    errors = []
    for number, row in enumerate(rows, start=1):
        for index, cell in enumerate(row):
            if "\ufffd" in cell:
                column = header[index] if index < len(header) and number > 1 else ""
                errors.append(
                    RowError(number, column, f"This cell has characters we cannot read: {advice}")
                )
    return errors or [RowError(0, "", f"We cannot read the file: {advice}")]


def _rows_from_xlsx(data: bytes) -> Iterator[list[str]]:
    import openpyxl

    not_xlsx = RowError(
        0,
        "",
        "The file is not an Excel workbook (.xlsx), although its name says so. Save it from "
        "Excel as “Excel Workbook (.xlsx)”, or as CSV UTF-8, and upload it again.",
    )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise FileProblem([not_xlsx])
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        # openpyxl reports a zip that is not a workbook in several ways; all mean the same here.
        raise FileProblem([not_xlsx]) from None
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [_cell_text(cell) for cell in row]
    except FileProblem:
        raise
    except Exception:  # noqa: BLE001 - a damaged sheet fails in many ways inside openpyxl
        # Only openpyxl's reading runs here: a consumer's exceptions never enter a generator.
        raise FileProblem([not_xlsx]) from None
    finally:
        workbook.close()


def _read(fileobj: IO[bytes], filename: str) -> Iterator[list[str]]:
    data = fileobj.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise FileProblem([RowError(0, "", "The file is larger than 100 MB. Split it into parts.")])
    if not data.strip(b"\xef\xbb\xbf \t\r\n"):
        raise FileProblem([RowError(0, "", "The file is empty.")])
    if filename.lower().endswith(".xlsx"):
        return _rows_from_xlsx(data)
    if data.startswith(b"PK\x03\x04"):
        raise FileProblem(
            [RowError(0, "", "The file looks like an Excel workbook: give it a .xlsx name.")]
        )
    return _rows_from_csv(data)


# --- checking ------------------------------------------------------------------------------------


def _check_header(header: list[str]) -> tuple[dict[str, int], list[RowError]]:
    names = [cell.strip().lower().replace(" ", "_") for cell in header]
    errors = []
    positions: dict[str, int] = {}
    known = ", ".join(COLUMNS)
    for index, name in enumerate(names):
        if not name:
            continue
        if name not in COLUMNS and name not in IGNORED:
            errors.append(
                RowError(
                    1, header[index], f"“{header[index]}” is not a column we know. Use: {known}."
                )
            )
        elif name in positions:
            errors.append(RowError(1, name, f"The {name} column appears more than once."))
        else:
            positions[name] = index
    for name in REQUIRED:
        if name not in positions:
            errors.append(RowError(1, name, f"The {name} column is missing from the first row."))
    return positions, errors


class _Checker:
    """Turns one row's cells into a _Row, or adds its problems to `errors`."""

    def __init__(self, positions: dict[str, int]) -> None:
        self.positions = positions
        self.width = max(positions.values()) + 1
        # Where each column's cell is in a row padded to `width` cells plus one blank: a
        # column the file does not have points at that blank.
        self.at = {name: positions.get(name, self.width) for name in COLUMNS}
        self.cops = {
            slug.lower(): pk for slug, pk in CommunityOfPractice.objects.values_list("slug", "pk")
        }
        self.themes = {slug.lower(): pk for slug, pk in Theme.objects.values_list("slug", "pk")}
        self.roles: dict[str, str] = {}
        for value, label in Associate.Role.choices:
            self.roles[value] = value
            self.roles[str(label).lower()] = value
            self.roles[value.replace("_", " ")] = value
        self.first_row_of: dict[str, int] = {}
        self.today = timezone.localdate()
        self.errors: list[RowError] = []

    def _error(self, number: int, column: str, message: str) -> None:
        self.errors.append(RowError(number, column, message))

    def _slugs(
        self, number: int, column: str, text: str, known: dict[str, int], what: str
    ) -> tuple[int, ...]:
        ids = []
        for part in text.split(";"):
            slug = part.strip().lower()
            if not slug:
                continue
            if slug not in known:
                self._error(
                    number, column, f"There is no {what} with the short name “{part.strip()}”."
                )
            elif known[slug] not in ids:
                ids.append(known[slug])
        return tuple(ids)

    def check(self, number: int, cells: list[str]) -> _Row | None:
        before = len(self.errors)
        width = self.width
        if len(cells) == width:
            cells = [*cells, ""]
        elif len(cells) < width:
            cells = [*cells, *([""] * (width + 1 - len(cells)))]
        else:
            if any(cells[width:]):
                self._error(
                    number, "", "This row has more cells than the first row has column names."
                )
            cells = [*cells[:width], ""]
        at = self.at

        full_name = " ".join(cells[at["full_name"]].split())
        if not full_name:
            self._error(number, "full_name", "Enter the person’s full name.")
        elif len(full_name) > 200:
            self._error(number, "full_name", "The full name must be 200 characters or fewer.")

        raw_email = cells[at["email"]]
        email = normalise_email(raw_email)
        if not email:
            self._error(number, "email", "Enter the person’s email address.")
        else:
            try:
                _validate_email(email)
            except ValidationError:
                self._error(
                    number,
                    "email",
                    f"“{raw_email}” is not an email address, like name@example.org.",
                )
            else:
                first = self.first_row_of.setdefault(email, number)
                if first != number:
                    self._error(
                        number,
                        "email",
                        f"{raw_email} is also on row {first}. Each person can be on one row only.",
                    )

        organisation = " ".join(cells[at["organisation"]].split())
        if len(organisation) > 200:
            self._error(number, "organisation", "The organisation must be 200 characters or fewer.")

        role_text = " ".join(cells[at["role"]].split()).lower()
        role = self.roles.get(role_text, "")
        if role_text and not role:
            choices = ", ".join(Associate.Role.values)
            self._error(
                number, "role", f"“{cells[at['role']]}” is not a role. Use one of: {choices}."
            )

        cops_text, interests_text = cells[at["cops"]], cells[at["interests"]]
        cop_ids = (
            self._slugs(number, "cops", cops_text, self.cops, "community of practice")
            if cops_text
            else ()
        )
        theme_ids = (
            self._slugs(number, "interests", interests_text, self.themes, "theme")
            if interests_text
            else ()
        )

        consents: dict[str, bool] = {}
        for channel in CHANNELS:
            answer = cells[at[channel]].lower()
            if answer in YES:
                consents[channel] = True
            elif answer in NO:
                consents[channel] = False
            elif answer:
                self._error(
                    number,
                    channel,
                    f"“{cells[at[channel]]}” is not yes or no. Leave it blank to record nothing.",
                )

        consent_date = None
        date_text = cells[at["consent_date"]]
        if date_text:
            try:
                if not ISO_DATE.match(date_text):
                    raise ValueError(date_text)
                consent_date = dt.date.fromisoformat(date_text)
            except ValueError:
                self._error(
                    number,
                    "consent_date",
                    f"“{date_text}” is not a date written as YYYY-MM-DD, like 2024-03-31.",
                )
            else:
                if consent_date > self.today:
                    self._error(number, "consent_date", "The consent date cannot be in the future.")

        if len(self.errors) > before:
            return None
        return _Row(
            number, full_name, email, organisation, role, cop_ids, theme_ids, consents, consent_date
        )


def _check(lines: Iterable[list[str]]) -> tuple[list[_Row], list[RowError]]:
    rows: list[_Row] = []
    iterator = iter(lines)
    header = next(iterator, None)
    if header is None or not any(header):
        return [], [RowError(0, "", "The file is empty.")]
    positions, header_errors = _check_header(header)
    if header_errors:
        return [], header_errors
    checker = _Checker(positions)
    count = 0
    for number, cells in enumerate(iterator, start=2):
        if not any(cells):
            continue  # blank lines and the empty rows spreadsheets leave after the data
        count += 1
        if count > MAX_ROWS:
            return [], [
                RowError(0, "", f"The file has more than {MAX_ROWS:,} rows. Split it into parts.")
            ]
        row = checker.check(number, cells)
        if row is not None:
            rows.append(row)
    if count == 0:
        checker.errors.append(RowError(0, "", "The file has column names but no people in it."))
    return rows, checker.errors


# --- writing -------------------------------------------------------------------------------------


def _consent_time(day: dt.date | None, now: dt.datetime) -> dt.datetime:
    if day is None or day >= timezone.localdate(now):
        return now
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class BulkInserter:
    """Plain multi-row INSERTs (COPY on PostgreSQL) for the big tables.

    `bulk_create` spends about 0.2 ms of Python per object preparing each value; with 100,000
    people and their memberships, interests and consent records that is most of a minute. Here
    each value is adapted once by the database backend's own functions and the rows go to
    `executemany`. Identifiers come from the models' metadata, never from the file.
    """

    def __init__(self) -> None:
        self.ops = connection.ops
        self._public_id = Associate._meta.get_field("public_id")
        # SQLite keeps a UUID as its 32 hex digits (what the field's preparation gives);
        # PostgreSQL's COPY reads the same digits into its uuid column.
        self._uuid_as_hex = connection.vendor in ("sqlite", "postgresql")

    def moment(self, value: dt.datetime | None) -> Any:
        return None if value is None else self.ops.adapt_datetimefield_value(value)

    def uuid(self) -> Any:
        if self._uuid_as_hex:
            return self._uuid4_hex()
        return self._public_id.get_db_prep_value(uuid.uuid4(), connection, prepared=False)

    _random = b""
    _used = 0

    def _uuid4_hex(self) -> str:
        """uuid.uuid4().hex, from random bytes read 64 KiB at a time (a system call and a UUID
        object per row cost about a twentieth of an import)."""
        if self._used >= len(self._random):
            self._random, self._used = os.urandom(16 * 4096), 0
        raw = bytearray(self._random[self._used : self._used + 16])
        self._used += 16
        raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
        raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
        return raw.hex()

    def insert(self, model: Any, names: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        quote = self.ops.quote_name
        columns = ", ".join(quote(model._meta.get_field(name).column) for name in names)
        marks = ", ".join(["%s"] * len(names))
        sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # COPY: one stream instead of a statement per row (executemany was three
                # quarters of a 100,000-row import's 45 s on PostgreSQL). psycopg adapts each
                # value as it would for the INSERT; the server parses it by the column's type.
                copy_sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
                with cursor.cursor.copy(copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            for chunk in _chunks(rows, 10_000):
                cursor.executemany(sql, list(chunk))


def join_many(
    associate_ids: Sequence[int], cop: CommunityOfPractice, *, at: dt.datetime | None = None
) -> tuple[int, int]:
    """services.join for many people at once: returns (added, already members).

    One services.join per person costs three queries, and "everyone matching this filter" can
    be 200,000 people; this is two queries and one bulk insert.
    """
    members = set(
        Membership.objects.filter(cop=cop, left__isnull=True).values_list("associate_id", flat=True)
    )
    new = list(dict.fromkeys(pk for pk in associate_ids if pk not in members))
    inserter = BulkInserter()
    stamp = inserter.moment(at or timezone.now())
    inserter.insert(Membership, ["associate", "cop", "joined"], [(pk, cop.pk, stamp) for pk in new])
    cop.refresh_member_count()
    return len(new), len(set(associate_ids)) - len(new)


def _where_in(expression: str, values: Sequence[Any]) -> Iterator[tuple[str, list[Any]]]:
    """(condition, parameters) pairs that together select the rows where `expression` is one
    of `values`: on PostgreSQL one `= ANY(array)` with the whole list as one parameter (the
    client binding of 500 parameters, chunk after chunk, cost more than running the queries);
    elsewhere `IN (...)` chunks of CHUNK values, under SQLite's parameter limit."""
    if not values:
        return
    if connection.vendor == "postgresql":
        yield f"{expression} = ANY(%s)", [list(values)]
        return
    for chunk in _chunks(values):
        yield f"{expression} IN ({', '.join(['%s'] * len(chunk))})", list(chunk)


def _matches(emails: Sequence[str], fields: Sequence[str]) -> Iterator[dict[str, Any]]:
    """Associates with these (normalised) addresses, by the unique LOWER(email) index.

    First which addresses are known, in plain SQL (building the ORM's IN query for each chunk
    of 500 cost more than running it, and a list of new people matches nobody); then the
    fields of those that are, through the ORM.
    """
    quote = connection.ops.quote_name
    table = quote(Associate._meta.db_table)
    email = f"{table}.{quote(Associate._meta.get_field('email').column)}"
    known: list[int] = []
    with connection.cursor() as cursor:
        for condition, params in _where_in(f"LOWER({email})", emails):
            cursor.execute(
                f"SELECT {table}.{quote('id')} FROM {table} "  # noqa: S608 - names from the model
                f"WHERE {email} IS NOT NULL AND {condition}",
                params,
            )
            known.extend(pk for (pk,) in cursor.fetchall())
    for ids in _chunks(known):
        yield from Associate.objects.filter(pk__in=ids).values(*fields)


def _ids_after(last_id: int, emails: set[str]) -> dict[str, int]:
    """Ids of the associates just inserted with these addresses: every id above the largest
    there was before the insert, in one range scan of the primary key (rows others added
    meanwhile, if any, are told apart by their address)."""
    quote = connection.ops.quote_name
    table = quote(Associate._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote('id')}, {quote('email')} FROM {table} WHERE {quote('id')} > %s",  # noqa: S608
            [last_id],
        )
        return {address: pk for pk, address in cursor.fetchall() if address in emails}


def _address_hashes(rows: list[_Row]) -> list[str]:
    """address_hash of each row's (already normalised) address, with the keyed hash set up
    once instead of once per row. A test checks it equals address_hash."""
    base = hmac.new(address_hash_key(), digestmod=hashlib.sha256)
    hashes = []
    for row in rows:
        digest = base.copy()
        digest.update(normalise_email(row.email).encode("utf-8"))
        hashes.append(digest.hexdigest())
    return hashes


def address_hash_key() -> bytes:
    """The key community.models.address_hash uses."""
    return hashlib.sha256(f"coproduce.suppression:{settings.SECRET_KEY}".encode()).digest()


def _write(rows: list[_Row], result: ImportResult, by: Any) -> None:
    now = timezone.now()
    recorder_id = by.pk if getattr(by, "is_authenticated", False) else None
    inserter = BulkInserter()

    hashes = {digest: row.email for row, digest in zip(rows, _address_hashes(rows), strict=True)}
    suppressed: set[str] = set()
    quote = connection.ops.quote_name
    column = quote(SuppressedAddress._meta.get_field("address_sha256").column)
    with connection.cursor() as cursor:
        for condition, params in _where_in(column, list(hashes)):
            cursor.execute(
                f"SELECT {column} FROM {quote(SuppressedAddress._meta.db_table)} "  # noqa: S608
                f"WHERE {condition}",
                params,
            )
            suppressed.update(digest for (digest,) in cursor.fetchall())
    skipped = {hashes[digest] for digest in suppressed}
    rows = [row for row in rows if row.email not in skipped]
    result.suppressed = len(skipped)
    result.rows = len(rows) + result.suppressed

    fields = ["id", "email", "full_name", "organisation", "role", "status", "confirmed"]
    fields += [f"consent_{channel}" for channel in CHANNELS]
    existing = {match["email"]: match for match in _matches([row.email for row in rows], fields)}

    changed_rows: set[int] = set()
    to_update: list[Associate] = []
    new_rows: list[tuple[Any, ...]] = []
    stamp = inserter.moment(now)
    for row in rows:
        match = existing.get(row.email)
        if match is None:
            new_rows.append(
                (
                    inserter.uuid(),
                    row.full_name,
                    row.email,
                    row.organisation,
                    row.role or Associate.Role.OTHER,
                    Associate.Status.ACTIVE.value,
                    stamp,
                    stamp,
                    *map(row.consents.get, CHANNELS, NOT_GIVEN),
                    1,
                )
            )
            continue
        values = {
            "full_name": row.full_name,
            "organisation": row.organisation or match["organisation"],
            "role": row.role or match["role"],
        }
        pending = match["status"] == Associate.Status.PENDING
        if pending or any(match[name] != value for name, value in values.items()):
            changed_rows.add(row.number)
            # A pending person on a list is confirmed by the list, as a new one would be.
            to_update.append(
                Associate(
                    pk=match["id"],
                    status=Associate.Status.ACTIVE if pending else match["status"],
                    confirmed=match["confirmed"] or (now if pending else None),
                    **values,
                )
            )
    columns = ["public_id", "full_name", "email", "organisation", "role", "status", "joined"]
    columns += ["confirmed", *(f"consent_{channel}" for channel in CHANNELS), "link_version"]
    last_id = Associate.objects.aggregate(last=Max("pk"))["last"] or 0
    inserter.insert(Associate, columns, new_rows)
    result.created = len(new_rows)
    update_fields = ["full_name", "organisation", "role", "status", "confirmed"]
    Associate.objects.bulk_update(to_update, update_fields, batch_size=CHUNK)

    id_of = {email: match["id"] for email, match in existing.items()}
    new_emails = {row.email for row in rows if row.email not in existing}
    if new_emails:
        id_of.update(_ids_after(last_id, new_emails))
    matched_ids = [match["id"] for match in existing.values()]

    _add_memberships(inserter, rows, id_of, matched_ids, stamp, result, changed_rows)
    _add_interests(inserter, rows, id_of, matched_ids, result, changed_rows)
    _record_consents(inserter, rows, id_of, existing, now, recorder_id, result, changed_rows)

    # New people's rows were marked too, as their memberships were added: count matches only.
    matched_rows = {row.number for row in rows if row.email in existing}
    result.updated = len(changed_rows & matched_rows)
    result.unchanged = len(matched_rows) - result.updated


def _current_pairs(
    model: Any, ids: Sequence[int], column: str, **extra: Any
) -> set[tuple[int, int]]:
    pairs: set[tuple[int, int]] = set()
    for chunk in _chunks(ids):
        pairs.update(
            model.objects.filter(associate_id__in=chunk, **extra).values_list(
                "associate_id", column
            )
        )
    return pairs


def _add_memberships(
    inserter: BulkInserter,
    rows: list[_Row],
    id_of: dict[str, int],
    matched_ids: list[int],
    stamp: Any,
    result: ImportResult,
    changed_rows: set[int],
) -> None:
    current = _current_pairs(Membership, matched_ids, "cop_id", left__isnull=True)
    new: list[tuple[int, int, Any]] = []
    for row in rows:
        associate_id = id_of[row.email]
        for cop_id in row.cop_ids:
            if (associate_id, cop_id) not in current:
                current.add((associate_id, cop_id))
                new.append((associate_id, cop_id, stamp))
                changed_rows.add(row.number)
    inserter.insert(Membership, ["associate", "cop", "joined"], new)
    result.memberships_added = len(new)
    if new:
        refresh_member_counts(sorted({cop_id for _, cop_id, _ in new}))


def _add_interests(
    inserter: BulkInserter,
    rows: list[_Row],
    id_of: dict[str, int],
    matched_ids: list[int],
    result: ImportResult,
    changed_rows: set[int],
) -> None:
    through = Associate.interests.through
    current = _current_pairs(through, matched_ids, "theme_id")
    new: list[tuple[int, int]] = []
    for row in rows:
        associate_id = id_of[row.email]
        for theme_id in row.theme_ids:
            if (associate_id, theme_id) not in current:
                current.add((associate_id, theme_id))
                new.append((associate_id, theme_id))
                changed_rows.add(row.number)
    inserter.insert(through, ["associate", "theme"], new)
    result.interests_added = len(new)


def _record_consents(
    inserter: BulkInserter,
    rows: list[_Row],
    id_of: dict[str, int],
    existing: dict[str, dict[str, Any]],
    now: dt.datetime,
    recorder_id: int | None,
    result: ImportResult,
    changed_rows: set[int],
) -> None:
    wordings = {channel: ConsentWording.current(channel) for channel in CHANNELS}
    dated_ids = [
        existing[row.email]["id"]
        for row in rows
        if row.email in existing and row.consents and row.consent_date is not None
    ]
    latest: dict[tuple[int, str], dt.datetime] = {}
    for chunk in _chunks(dated_ids):
        for entry in (
            ConsentRecord.objects.filter(associate_id__in=chunk)
            .values("associate_id", "channel")
            .annotate(latest=Max("at"))
        ):
            latest[(entry["associate_id"], entry["channel"])] = entry["latest"]

    records: list[tuple[Any, ...]] = []
    flips: dict[tuple[str, bool], list[int]] = defaultdict(list)
    stamps: dict[dt.date | None, tuple[dt.datetime, Any]] = {}
    for row in rows:
        match = existing.get(row.email)
        associate_id = id_of[row.email]
        if row.consent_date not in stamps:
            at = _consent_time(row.consent_date, now)
            stamps[row.consent_date] = (at, inserter.moment(at))
        at, stamp = stamps[row.consent_date]
        for channel, granted in row.consents.items():
            current = match[f"consent_{channel}"] if match else False
            if current == granted:
                continue
            if match and latest.get((associate_id, channel), at) > at:
                # They decided after the list was made: their own later decision stands.
                result.consent_kept_newer += 1
                continue
            wording = wordings[channel] if granted else None
            # As ConsentRecord.save would: a grant names the wording's version and hash.
            records.append(
                (
                    associate_id,
                    channel,
                    granted,
                    stamp,
                    ConsentRecord.Method.IMPORT.value,
                    wording.pk if wording else None,
                    wording.version if wording else None,
                    wording.sha256 if wording else "",
                    recorder_id,
                )
            )
            if match:
                flips[(channel, granted)].append(associate_id)
                changed_rows.add(row.number)
    names = ["associate", "channel", "granted", "at", "method", "wording"]
    names += ["wording_version", "wording_sha256", "recorded_by"]
    inserter.insert(ConsentRecord, names, records)
    result.consent_records = len(records)
    # New associates were inserted with their consent state; existing ones change here.
    for (channel, granted), ids in flips.items():
        for chunk in _chunks(ids):
            Associate.objects.filter(pk__in=chunk).update(**{f"consent_{channel}": granted})


# --- entry point ---------------------------------------------------------------------------------


def import_file(fileobj: IO[bytes], filename: str, by: Any) -> ImportResult:
    """Check every row of the file, then write all of it or, if anything is wrong, none of it."""
    result = ImportResult(filename=filename)
    try:
        rows, errors = _check(_read(fileobj, filename))
    except FileProblem as problem:
        result.errors = problem.errors
        return result
    if errors:
        result.errors = errors
        return result
    with transaction.atomic(), _large_cache():
        _write(rows, result, by)
        record(
            by,
            "community.associate.imported",
            directory_subject(),
            {name: [None, value] for name, value in {"file": filename, **result.counts()}.items()},
        )
    return result


@contextlib.contextmanager
def _large_cache() -> Iterator[None]:
    """On SQLite, a page cache big enough for the indexes an import writes into.

    The default (2 MB) holds a few thousand pages; 100,000 new rows land all over the
    associates' indexes (random public ids, addresses), so with 200,000 associates already
    there most inserts missed the cache and dirty pages were spilled to the WAL again and
    again. The setting is per connection and restored afterwards; it changes nothing on disk.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {-IMPORT_CACHE_KIB:d}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before):d}")


class _ManyAssociates:
    """Stands for many associates at once (an import, an export) in an audit entry.

    `record` reads only these three attributes; the entry names no one.
    """

    _meta = Associate._meta
    pk = ""
    audit_label = "Associates (many)"


def directory_subject() -> models.Model:
    """What the audit log names for actions on many associates at once (import, export)."""
    return cast(models.Model, _ManyAssociates())
