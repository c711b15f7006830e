"""What every write endpoint shares: who acts, access refusals as API errors, form errors as
422 problems, optimistic concurrency (ETag / If-Match) and idempotency keys.

- Access: the token acts as its owner, and the domain apps' own access functions decide
  (`allowed` turns their PermissionDenied / Http404 into 403 / 404 with the same words).
- Validation: the same Django form the staff page uses; its errors become the documented 422
  body, one problem per field, in the form's own plain English.
- Concurrency (RFC 9110 §13.1.1, RFC 6585 §3): a GET of one record carries an `ETag`, a hash of
  the record's editable values; a PUT or PATCH must send it back as `If-Match`. Missing: 428.
  Someone changed the record since: 412, and nothing is saved.
- Idempotency (draft-ietf-httpapi-idempotency-key-header): a creating POST may carry an
  `Idempotency-Key`; the same key and body again answers the first result without creating
  anything; the same key with another body is a 409.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Status
from ninja.errors import HttpError
from ninja.parser import Parser

from coproduce.api.models import IdempotencyKey
from coproduce.audit.log import snapshot


class Unprocessable(Exception):
    """A 422 with a list of problems (the ValidationErrors body)."""

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        super().__init__(problems)
        self.problems = problems


class BodyParser(Parser):
    """JSON bodies, refusing a NUL character anywhere in them (422 on where it is).

    PostgreSQL text cannot hold NUL: a slug with one, looked up before any form checks it,
    was a 500 there ("PostgreSQL text fields cannot contain NUL (0x00) bytes") and a 422 on
    SQLite. ninja answers any parser error with 400, so the URLconf's HttpError handler turns
    this one (the 400's cause) back into its 422.
    """

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        where = _nul_at(data, ["body"])
        if where is not None:
            raise Unprocessable(
                [
                    {
                        "type": "null_characters_not_allowed",
                        "loc": where,
                        "msg": "Null characters are not allowed.",
                    }
                ]
            )
        return data


def _nul_at(value: Any, path: list[Any]) -> list[Any] | None:
    """The location of the first string (or key) holding a NUL in a JSON value, or None."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = [*path, key] if "\x00" in key else _nul_at(item, [*path, key])
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_at(item, [*path, index])
            if found is not None:
                return found
    return None


def owner(request: HttpRequest) -> Any:
    """The user the token acts as."""
    return request.auth.owner  # type: ignore[attr-defined]


def allowed(check: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a domain access function; its refusal becomes the API's 403 or 404."""
    try:
        return check(*args, **kwargs)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or "The token's owner may not do this.") from None
    except Http404 as exc:
        raise HttpError(404, str(exc) or "There is no such record.") from None


def form_problems(form: Any) -> list[dict[str, Any]]:
    problems = []
    for field, errors in form.errors.get_json_data().items():
        for error in errors:
            where = ["body"] if field == "__all__" else ["body", field]
            problems.append(
                {"type": error.get("code") or "invalid", "loc": where, "msg": error["message"]}
            )
    return problems


def form_data(body: dict[str, Any]) -> Any:
    """A JSON body as the QueryDict-like data a Django form reads: lists stay lists (for
    multiple choices), None becomes empty, booleans and numbers become their text."""
    from django.utils.datastructures import MultiValueDict

    data: MultiValueDict[str, str] = MultiValueDict()
    for name, value in body.items():
        if value is None:
            continue
        if isinstance(value, list):
            data.setlist(name, [str(v) for v in value])
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = str(value)
    return data


# --- ETag / If-Match ------------------------------------------------------------------------


def etag(obj: models.Model) -> str:
    values = json.dumps(snapshot(obj), sort_keys=True, cls=DjangoJSONEncoder, default=str)
    return '"' + hashlib.sha256(values.encode()).hexdigest()[:32] + '"'


def with_etag(response: HttpResponse, obj: models.Model) -> None:
    response["ETag"] = etag(obj)


def require_match(request: HttpRequest, obj: models.Model) -> None:
    """428 without If-Match; 412 when it names another version than the record's own."""
    sent = request.headers.get("If-Match")
    if not sent:
        raise HttpError(
            428,
            "Send the record's ETag (from a GET of it) in an If-Match header, so a change made "
            "by someone else since is not overwritten.",
        )
    current = etag(obj)
    candidates = {tag.strip().removeprefix("W/") for tag in sent.split(",")}
    if "*" not in candidates and current not in candidates:
        raise HttpError(
            412,
            "The record has changed since you read it (its ETag is no longer the one sent in "
            "If-Match). Read it again, apply your change to it, and send the new ETag.",
        )


# --- Idempotency-Key ------------------------------------------------------------------------

IF_MATCH_HELP = "The record's ETag, from a GET of it: required (428 without it; 412 if stale)."

KEY_HELP = (
    "Optional: a unique value (a UUID) for this creation. Sending the same key and body again "
    "(a retry) answers the first result and creates nothing more; the same key with another "
    "body is refused (409). Keys are kept for 24 hours."
)


def idempotent(
    request: HttpRequest,
    operation: str,
    body: dict[str, Any],
    create: Callable[[], tuple[int, Any]],
    dump: Callable[[Any], dict[str, Any]],
) -> Any:
    """Run `create` once per (owner, operation, Idempotency-Key); answer a retry from the store.

    `create` returns (status, object); `dump` turns the object into the JSON body that a retry
    gets back. The creation and its key are saved in one transaction, so two requests racing
    with one key make one record: the loser's creation is rolled back and it gets the winner's.
    """
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        status, obj = create()
        return Status(status, obj)
    if len(key) > 255:
        raise HttpError(400, "The Idempotency-Key header must be 255 characters or fewer.")
    user = owner(request)
    body_hash = hashlib.sha256(
        json.dumps(body, sort_keys=True, cls=DjangoJSONEncoder).encode()
    ).hexdigest()
    IdempotencyKey.objects.filter(expires__lt=timezone.now()).delete()
    seen = IdempotencyKey.objects.filter(owner=user, operation=operation, key=key).first()
    if seen is not None:
        return _replay(seen, body_hash)
    try:
        with transaction.atomic():
            status, obj = create()
            IdempotencyKey.objects.create(
                owner=user,
                key=key,
                operation=operation,
                body_hash=body_hash,
                status=status,
                response=json.loads(json.dumps(dump(obj), cls=DjangoJSONEncoder)),
            )
    except IntegrityError:
        seen = IdempotencyKey.objects.filter(owner=user, operation=operation, key=key).first()
        if seen is None:
            raise
        return _replay(seen, body_hash)
    return Status(status, obj)


def _replay(seen: IdempotencyKey, body_hash: str) -> JsonResponse:
    if seen.body_hash != body_hash:
        raise HttpError(
            409,
            "This Idempotency-Key was already used with a different request body. Use a new "
            "key for a new record.",
        )
    return JsonResponse(seen.response, status=seen.status)


def problem(field: str, msg: str) -> Unprocessable:
    """A 422 naming one field of the body."""
    return Unprocessable([{"type": "invalid", "loc": ["body", field], "msg": msg}])


def pks_of(queryset: Any, lookup: str, values: list[Any], field: str, noun: str) -> list[int]:
    """The primary keys of the rows named by `values` (slugs or public ids, by `lookup`), in
    order; a name that matches nothing is a 422 on `field` saying which."""
    wanted = [str(value) for value in values]
    found = {
        str(key): pk
        for key, pk in queryset.filter(**{f"{lookup}__in": wanted}).values_list(lookup, "pk")
    }
    for value in wanted:
        if value not in found:
            raise problem(field, f"There is no {noun} '{value}'.")
    return [found[value] for value in wanted]
