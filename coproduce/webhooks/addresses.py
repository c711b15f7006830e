"""Where a webhook may be sent: only to hosts the installation allows, never to an internal
address by accident (server-side request forgery).

`COPRODUCE_WEBHOOK_ALLOWED_HOSTS` lists the allowed hosts, comma-separated. An entry is either a
host name or address, allowed exactly (`hooks.example.org`, `10.0.0.5`), or a domain suffix
starting with a dot (`.example.org`: any host under it). Empty (the default): no webhook is
sent anywhere. A host allowed by a suffix must resolve only to public (global) addresses; a host
named exactly may resolve to an internal one, because someone chose it by name. The address is
resolved again at each delivery and the connection is made to the address that was checked, so
a name that changes its answer between the check and the request (DNS rebinding) cannot reach
anything else.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings


class Refused(Exception):
    """The address is not one this installation may send to; the message says why."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def allowed_hosts() -> list[str]:
    return [entry.strip().lower() for entry in settings.WEBHOOK_ALLOWED_HOSTS if entry.strip()]


def _match(host: str) -> str | None:
    """'exact' or 'suffix' for an allowed host; None otherwise."""
    for entry in allowed_hosts():
        if entry.startswith("."):
            if host.endswith(entry) and len(host) > len(entry):
                return "suffix"
        elif host == entry:
            return "exact"
    return None


def check_url(url: str) -> tuple[str, str, int, str, str]:
    """The URL's scheme, host, port, path and how it is allowed; Refused if it is not."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise Refused("The address must start with https:// (or http://).")
    host = (parts.hostname or "").lower()
    if not host:
        raise Refused("The address has no host name.")
    if parts.username or parts.password:
        raise Refused("The address must not contain a user name or password.")
    if not allowed_hosts():
        raise Refused(
            "This installation sends webhooks to no address yet: an administrator lists the "
            "allowed hosts in COPRODUCE_WEBHOOK_ALLOWED_HOSTS."
        )
    how = _match(host)
    if how is None:
        raise Refused(
            f"{host} is not an allowed webhook host. Allowed: {', '.join(allowed_hosts())}."
        )
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise Refused("The address has an invalid port.") from error
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return parts.scheme, host, port, path, how


def resolve(url: str) -> Target:
    """Check the URL and resolve its host now; Refused if any address is not allowed."""
    scheme, host, port, path, how = check_url(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise Refused(f"{host} could not be found ({error.strerror or error}).") from error
    addresses = tuple(dict.fromkeys(str(info[4][0]) for info in infos))
    if how == "suffix":
        internal = [a for a in addresses if not ipaddress.ip_address(a.split("%")[0]).is_global]
        if internal:
            raise Refused(
                f"{host} resolves to an internal address ({', '.join(internal)}); only public "
                "addresses are allowed for hosts allowed by their domain."
            )
    return Target(scheme, host, port, path, addresses)
