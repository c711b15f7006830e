"""Stored derived figures: the staff analytics that cost seconds at national scale (every
governance rule over every study, CoP health over every community, the engagement and
mailing reach of a year), kept as rows and read as rows.

A figure is a function of its arguments and the data. An app defines it once (`define`, from
its AppConfig.ready) and pages read it (`read`). Each row records the page cache's **data
generation** when its computation started (coproduce/pagecache: any save, delete or non-GET
request changes it, and bulk loaders bump it), so a row is *fresh* while the generation is
unchanged, the code version is the same, and it is younger than
`COPRODUCE_FIGURES_MAX_AGE_SECONDS` (default 600: the bound for changes made without signals,
such as `QuerySet.update()` outside a request).

Reading a figure that is not fresh:
- if its last computation took at most `COPRODUCE_FIGURES_INLINE_SECONDS` (default 0.05, the
  staff page budget), it is computed again on the request: small collaborations always see
  the current figure;
- otherwise the stored value is answered with the time it was computed (`Reading.fresh` is
  False and pages say "as at ..."), and the row is marked wanted: the worker's clock
  (`refresh`, every COPRODUCE_TICK_SECONDS) computes it again.
A figure never computed is computed on the request. The clock also keeps each figure's
default arguments (this year, today) fresh, so the first reader of the day waits for nothing.

Values are pickled, as Django's database cache backend does: they are the analytics' own
objects. A row written by other code (another version) is computed again, never unpickled.
"""

from __future__ import annotations

import datetime as dt
import json
import pickle
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields, is_dataclass
from typing import Any

from django.conf import settings
from django.db.models import Model  # not `models`: the name of this package's own module
from django.utils import timezone

from coproduce import pagecache

CODE_VERSION = "1"  # bump when a stored value's shape changes for every figure


@dataclass(frozen=True)
class Figure:
    name: str
    compute: Callable[..., Any]
    # The arguments the clock keeps fresh (e.g. this year); none by default.
    defaults: Callable[[], Iterable[tuple[Any, ...]]] | None = None
    version: int = 1


@dataclass(frozen=True)
class Reading:
    value: Any
    computed_at: dt.datetime
    fresh: bool


_FIGURES: dict[str, Figure] = {}
_locks: dict[str, threading.Lock] = {}
_locks_lock = threading.Lock()


def define(
    name: str,
    compute: Callable[..., Any],
    *,
    defaults: Callable[[], Iterable[tuple[Any, ...]]] | None = None,
    version: int = 1,
) -> Figure:
    """Declare a figure (from AppConfig.ready); defining a name again replaces it."""
    figure = Figure(name, compute, defaults, version)
    _FIGURES[name] = figure
    return figure


def defined() -> list[Figure]:
    return list(_FIGURES.values())


# Arguments: ints, strings and dates, stored as JSON ------------------------------------------


def _encode(args: tuple[Any, ...]) -> list[Any]:
    encoded: list[Any] = []
    for arg in args:
        if isinstance(arg, dt.date) and not isinstance(arg, dt.datetime):
            encoded.append({"date": arg.isoformat()})
        elif isinstance(arg, int | str) or arg is None:
            encoded.append(arg)
        else:
            raise TypeError(f"A figure's argument must be an int, str or date, not {arg!r}")
    return encoded


def _decode(args: list[Any]) -> tuple[Any, ...]:
    return tuple(
        dt.date.fromisoformat(arg["date"]) if isinstance(arg, dict) else arg for arg in args
    )


def key(name: str, args: tuple[Any, ...]) -> str:
    return f"{name}:{json.dumps(_encode(args), separators=(',', ':'))}"


# Reading and computing -------------------------------------------------------------------------


def _max_age() -> float:
    return float(getattr(settings, "COPRODUCE_FIGURES_MAX_AGE_SECONDS", 600))


def _inline_seconds() -> float:
    return float(getattr(settings, "COPRODUCE_FIGURES_INLINE_SECONDS", 0.05))


def _version(figure: Figure) -> str:
    return f"{CODE_VERSION}.{figure.version}"


def _generation() -> str:
    return pagecache.generation().decode("ascii", "replace")


def _is_fresh(row: Any, figure: Figure, current: str, now: dt.datetime) -> bool:
    return (
        row.generation == current
        and row.version == _version(figure)
        and (now - row.computed_at).total_seconds() < _max_age()
    )


_MISSING = object()


def _load(row: Any, figure: Figure) -> Any:
    if row.version != _version(figure):
        return _MISSING
    return _unpickle(bytes(row.value))


# A value this code cannot read (a class changed or gone): computed again, never an error.
_UNREADABLE = (pickle.UnpicklingError, AttributeError, ImportError, EOFError, TypeError,
               ValueError, IndexError, KeyError)  # fmt: skip


def _unpickle(data: bytes) -> Any:
    try:
        # Only this module writes the column, from values it computed (as Django's database
        # cache backend does); nothing a request sends is ever unpickled.
        return pickle.loads(data)  # noqa: S301
    except _UNREADABLE:
        return _MISSING


def _figure(name: str) -> Figure:
    try:
        return _FIGURES[name]
    except KeyError:
        raise LookupError(f"No stored figure named {name!r}") from None


def read(name: str, *args: Any) -> Reading:
    """The figure's value for these arguments (see the module's docstring for when it is
    computed on the request and when the stored value is answered)."""
    from coproduce.figures.models import StoredFigure

    figure = _figure(name)
    row = StoredFigure.objects.filter(key=key(name, args)).first()
    if row is not None:
        value = _load(row, figure)
        if value is not _MISSING:
            if _is_fresh(row, figure, _generation(), timezone.now()):
                return Reading(value, row.computed_at, True)
            if row.seconds > _inline_seconds():
                if not row.wanted:
                    StoredFigure.objects.filter(pk=row.pk).update(wanted=True)
                return Reading(value, row.computed_at, False)
    return compute(name, *args)


def value(name: str, *args: Any) -> Any:
    return read(name, *args).value


def current(name: str, *args: Any) -> Any:
    """The figure's value as of now, computed here if the stored one is out of date: for a
    figure made from another (a summary of it), which must not be stored fresh from a stale
    source."""
    reading = read(name, *args)
    return reading.value if reading.fresh else compute(name, *args).value


def compute(name: str, *args: Any) -> Reading:
    """Compute the figure now and store it. One computation per figure and arguments at a time
    in a process: a second caller waits for the first, then computes again (other processes
    may compute at the same time; the last to store wins)."""
    from coproduce.figures.models import StoredFigure

    figure = _figure(name)
    row_key = key(name, args)
    with _locks_lock:
        lock = _locks.setdefault(row_key, threading.Lock())
    with lock:
        current = _generation()  # read before computing: a write meanwhile leaves it stale
        started = time.perf_counter()
        result = figure.compute(*args)
        seconds = time.perf_counter() - started
        now = timezone.now()
        values = {
            "name": name,
            "args": _encode(args),
            "value": pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL),
            "text": "\n".join(_strings(result)),
            "generation": current,
            "version": _version(figure),
            "computed_at": now,
            "seconds": seconds,
            "wanted": False,
        }
        _save(StoredFigure, row_key, values)
    return Reading(result, now, True)


def _save(model: type[Model], row_key: str, values: dict[str, Any]) -> None:
    """One statement however many processes store it at once (INSERT ... ON CONFLICT DO
    UPDATE, on SQLite and PostgreSQL alike): the last to finish wins, and all are as new."""
    model._default_manager.bulk_create(
        [model(key=row_key, **values)],
        update_conflicts=True,
        unique_fields=["key"],
        update_fields=list(values),
    )


def refresh() -> dict[str, int]:
    """The worker's clock: compute again what readers found out of date and each figure's
    default arguments when not fresh; forget rows no one has read for two days."""
    from coproduce.figures.models import StoredFigure

    current, now = _generation(), timezone.now()
    done = 0
    targets: dict[str, tuple[str, tuple[Any, ...]]] = {}
    for name, args in StoredFigure.objects.filter(wanted=True).values_list("name", "args"):
        if name in _FIGURES:
            targets[key(name, _decode(args))] = (name, _decode(args))
    for figure in _FIGURES.values():
        for args in figure.defaults() if figure.defaults else ():
            targets.setdefault(key(figure.name, tuple(args)), (figure.name, tuple(args)))
    rows = {row.key: row for row in StoredFigure.objects.filter(key__in=list(targets))}
    for row_key, (name, args) in targets.items():
        row = rows.get(row_key)
        if row is not None and _is_fresh(row, _FIGURES[name], current, now) and not row.wanted:
            continue
        compute(name, *args)
        done += 1
    forgotten, _ = (
        StoredFigure.objects.filter(computed_at__lt=now - dt.timedelta(days=2), wanted=False)
        .exclude(key__in=list(targets))
        .delete()
    )
    return {"computed": done, "forgotten": forgotten}


# Text of a stored value (for the personal-data register) ---------------------------------------


def _strings(value: Any, depth: int = 0) -> Iterator[str]:
    if depth > 12:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k, depth + 1)
            yield from _strings(v, depth + 1)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _strings(item, depth + 1)
    elif is_dataclass(value) and not isinstance(value, type):
        for f in fields(value):
            yield from _strings(getattr(value, f.name), depth + 1)
    elif isinstance(value, Model):
        for name, item in vars(value).items():
            if not name.startswith("_"):
                yield from _strings(item, depth + 1)
    elif hasattr(value, "__dict__") and not isinstance(value, type):
        yield from _strings(vars(value), depth + 1)


def value_text(pickled: bytes) -> str:
    """Every string a stored value holds, one a line ("" if it cannot be read)."""
    loaded = _unpickle(pickled)
    return "" if loaded is _MISSING else "\n".join(_strings(loaded))
