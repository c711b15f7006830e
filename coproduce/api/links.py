"""OpenAPI links between the API's operations, derived from its paths (OpenAPI 3.1 `links`).

A client (or schemathesis's stateful tests) can follow them from one answer to the next call:

- a list (`GET /outputs`) to the detail of its first item (`GET /outputs/{public_id}` with
  `$response.body#/items/0/public_id`), and to what hangs under it
  (`GET /funding/training-sessions/{public_id}/attendance`, `POST /events/{slug}/bookings`);
- a creation (`POST /outputs`, 201) to the created record's detail and change;
- a record's detail (`GET /outputs/{public_id}`) to its change, with the answer's `ETag` as
  `If-Match`, and to the lists and creations under it (`GET`/`POST /events/{slug}/bookings`);
- a change (`PATCH`, 200) to the record's detail.

A link is only made where it is true: the source answer's schema has the property named, and the
target's path is the source's path with that one parameter more (or the same parameters).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

PARAMETER = re.compile(r"\{([^}]+)\}")


def add_links(document: dict[str, Any]) -> dict[str, Any]:
    """Add `links` to the success responses of `document` (changed in place and returned)."""
    paths: dict[str, dict[str, Any]] = document.get("paths", {})
    components = document.get("components", {}).get("schemas", {})
    for path, operations in paths.items():
        for method, operation in operations.items():
            for status, response in operation.get("responses", {}).items():
                if str(status) not in {"200", "201"}:
                    continue
                links = dict(_links(paths, components, path, method, response))
                if links:
                    response.setdefault("links", {}).update(links)
    return document


def _links(
    paths: Mapping[str, Any], components: Mapping[str, Any], path: str, method: str, response: Any
) -> Iterator[tuple[str, dict[str, Any]]]:
    body = _resolve(components, _json_schema(response))
    own = PARAMETER.findall(path)
    from_request = {f"path.{name}": f"$request.path.{name}" for name in own}
    if method == "get" and not path.endswith("}"):
        # A list: its first item's identifier opens the item and what hangs under it.
        item, prefix = _list_item(components, body)
        for target, name, target_method, operation in _below(paths, path, own):
            if target_method == "patch" or (target_method == "post" and target.endswith("}")):
                continue
            if item is not None and name in item.get("properties", {}):
                parameters = {**from_request, f"path.{name}": f"$response.body#{prefix}/{name}"}
                yield _link(target_method, operation, parameters, "first item")
    elif method == "post" and not path.endswith("}"):
        # A creation: the created record's identifier opens it and changes it.
        for target, name, target_method, operation in _below(paths, path, own):
            if (
                target.endswith("}")
                and target_method != "post"
                and name in body.get("properties", {})
            ):
                parameters = {**from_request, f"path.{name}": f"$response.body#/{name}"}
                yield _link(target_method, operation, parameters, "created")
    elif method in {"get", "patch"} and path.endswith("}"):
        # A record: it can be changed (with its ETag as If-Match), read again, and what hangs
        # under it listed.
        for target, target_method, operation in _same_or_under(paths, path, own):
            if target == path and target_method == method:
                continue
            if method == "patch" and (target != path or target_method != "get"):
                continue
            if target_method == "post" and target == path:
                continue
            parameters = dict(from_request)
            if target_method == "patch" and _has_header(operation, "If-Match"):
                parameters["header.If-Match"] = "$response.header.ETag"
            yield _link(target_method, operation, parameters, "this record")


def _link(method: str, operation: Mapping[str, Any], parameters: dict[str, str], of: str) -> Any:
    operation_id = operation["operationId"]
    # coproduce_api_<router>_<view>: the view's name, unique in the API.
    name = operation_id.removeprefix("coproduce_api_").split("_", 1)[-1]
    return name, {
        "operationId": operation_id,
        "parameters": parameters,
        "description": f"{method.upper()} of the {of}.",
    }


def _below(
    paths: Mapping[str, Any], path: str, own: list[str]
) -> Iterator[tuple[str, str, str, Any]]:
    """Operations at `path/{name}` (and deeper literal segments): path, name, method, operation."""
    for target, operations in paths.items():
        if not target.startswith(path + "/{"):
            continue
        extra = [name for name in PARAMETER.findall(target) if name not in own]
        rest = target[len(path) + 1 :].split("/")[1:]
        if len(extra) != 1 or any("{" in segment for segment in rest):
            continue
        for method, operation in operations.items():
            if method in {"get", "patch", "post"}:
                yield target, extra[0], method, operation


def _same_or_under(
    paths: Mapping[str, Any], path: str, own: list[str]
) -> Iterator[tuple[str, str, Any]]:
    """Operations at `path` itself or at literal segments under it: path, method, operation."""
    for target, operations in paths.items():
        if target != path and not target.startswith(path + "/"):
            continue
        if set(PARAMETER.findall(target)) != set(own):
            continue
        for method, operation in operations.items():
            if method in {"get", "patch", "post"}:
                yield target, method, operation


def _has_header(operation: Mapping[str, Any], name: str) -> bool:
    return any(
        parameter.get("in") == "header" and parameter.get("name") == name
        for parameter in operation.get("parameters", [])
    )


def _json_schema(response: Mapping[str, Any]) -> Any:
    return response.get("content", {}).get("application/json", {}).get("schema", {})


def _resolve(components: Mapping[str, Any], schema: Any) -> Any:
    if isinstance(schema, dict) and "$ref" in schema:
        return components.get(schema["$ref"].rsplit("/", 1)[-1], {})
    return schema if isinstance(schema, dict) else {}


def _list_item(components: Mapping[str, Any], body: Mapping[str, Any]) -> tuple[Any, str]:
    """The schema of a list's items and the JSON pointer to the first: a page or an array."""
    if body.get("type") == "array":
        return _resolve(components, body.get("items")), "/0"
    items = body.get("properties", {}).get("items", {})
    if items.get("type") == "array":
        return _resolve(components, items.get("items")), "/items/0"
    return None, ""
