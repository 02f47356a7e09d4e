"""Where a webhook may be sent: public addresses only in production (no SSRF into the lender's
network: loopback, private ranges, link-local such as the cloud metadata service at
169.254.169.254, multicast, reserved). Checked when an endpoint is saved (a literal address) and
again before every delivery (what the name resolves to then)."""

from __future__ import annotations

import ipaddress
import socket

from django.conf import settings


def _forbidden(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def literal_address_forbidden(host: str) -> bool:
    """The host is an IP address outside the public internet (names are checked at send time)."""
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return False
    try:
        return _forbidden(host.strip("[]"))
    except ValueError:
        return False


def resolved_address_refusal(host: str, port: int) -> str:
    """Why the host may not be called now ("" when it may): it resolves to a forbidden address,
    or does not resolve."""
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return ""
    try:
        answers = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        return f"cannot resolve {host}: {exc}"
    addresses = sorted({str(answer[4][0]) for answer in answers})
    bad = [a for a in addresses if _forbidden(a)]
    return f"refused: {host} resolves to a non-public address ({', '.join(bad)})" if bad else ""
