"""The private-address guard: which URLs may be fetched from the outside world (the crawler's
requests, the webhooks' POSTs). Refused, before any connection: every scheme but http and https,
and hosts that are, or resolve to, private, loopback, link-local (169.254.169.254 included),
multicast, reserved or unspecified addresses, unless the caller allows the host by name (the
tests and the demo allow ``127.0.0.1``). Pure: no network but the resolver's answer.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

METADATA_HOSTS = {"169.254.169.254", "fd00:ec2::254", "metadata.google.internal", "metadata"}


def address_is_public(address: str) -> bool:
    """True for a globally routable unicast IP address."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or str(ip) in METADATA_HOSTS
        or not ip.is_global
    )


def normalise_hosts(hosts: Iterable[str]) -> frozenset[str]:
    return frozenset(h.strip().lower().strip("[]") for h in hosts if h and h.strip())


def check_url(url: str, allow_hosts: Iterable[str] = (), *, resolve: Any = None) -> str | None:
    """Why ``url`` must not be fetched (``"blocked_scheme"``/``"blocked_host"``), or None.

    ``resolve(host) -> list[str]`` gives the host's addresses; by default the system
    resolver. IP literals are judged without resolving.
    """
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        return "blocked_scheme"
    host = (parts.hostname or "").lower()
    if not host:
        return "blocked_host"
    if host in normalise_hosts(allow_hosts):
        return None
    if host in METADATA_HOSTS:
        return "blocked_host"
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
        return None if address_is_public(host) else "blocked_host"
    except ValueError:
        pass
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return "blocked_host"
    try:
        addresses = resolve(host) if resolve else _system_resolve(host)
    except OSError:
        return None  # unresolvable: the download fails on its own, and nothing is reached
    if any(not address_is_public(a) for a in addresses):
        return "blocked_host"
    return None


def _system_resolve(host: str) -> list[str]:
    # str(): typed str | int, an int only for IPv6 on a Python built without it
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)})
