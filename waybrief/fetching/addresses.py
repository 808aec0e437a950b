"""Which addresses a user-supplied URL may reach.

Only globally routable unicast addresses pass. The IPv6 transition prefixes
(NAT64, 6to4, Teredo) are refused whole, whatever IPv4 address they carry;
IPv4-mapped and IPv4-compatible forms are judged by the IPv4 address inside,
since that is where the packet would end up.
"""

from __future__ import annotations

import ipaddress
import re

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_TRANSITION = (*_NAT64, ipaddress.ip_network("2002::/16"), ipaddress.ip_network("2001::/32"))


def embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address would deliver to, if any."""
    found: list[ipaddress.IPv4Address] = []
    if address.ipv4_mapped:
        found.append(address.ipv4_mapped)
    if address.sixtofour:
        found.append(address.sixtofour)
    if address.teredo:
        found.extend(address.teredo)
    if any(address in net for net in _NAT64):
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    # IPv4-compatible (::a.b.c.d), deprecated but still parsed by stacks.
    if int(address) >> 32 == 0 and int(address) > 1:
        found.append(ipaddress.IPv4Address(int(address)))
    return found


def is_public_address(address: IPAddress) -> bool:
    """True only for addresses a fetch of an untrusted URL may connect to."""
    if isinstance(address, ipaddress.IPv6Address):
        # Refused whole: a server-side fetcher never needs these, and they are classic bypasses.
        if any(address in net for net in _TRANSITION):
            return False
        inner = embedded_ipv4(address)
        if inner:
            return all(is_public_address(v4) for v4 in inner)
        if address.scope_id:
            return False
    if address in _CGNAT:
        return False
    return address.is_global and not (
        address.is_multicast
        or address.is_private
        or address.is_reserved
        or address.is_loopback
        or address.is_link_local
        or address.is_unspecified
    )


_IPV4_PART = re.compile(r"^(0x[0-9a-f]+|0[0-7]*|[1-9][0-9]*)$", re.IGNORECASE)


def parse_ip_literal(host: str) -> IPAddress | None:
    """Read a host the way browsers and libc read it: IPv6 in brackets, and
    IPv4 in any spelling inet_aton accepts (``2130706433``, ``0x7f.1``, ``017.0.0.1``).

    A guard that only knew dotted quads would let those spellings through.
    """
    host = host.strip().rstrip(".")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if ":" in host:
        try:
            return ipaddress.IPv6Address(host)
        except ValueError:
            return None
    parts = host.split(".")
    if not 1 <= len(parts) <= 4 or not all(_IPV4_PART.match(p) for p in parts):
        return None
    numbers = [_parse_ipv4_part(p) for p in parts]
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(parts)):
        return None
    value = 0
    for n in head:
        value = value * 256 + n
    value = value * 256 ** (5 - len(parts)) + last
    return ipaddress.IPv4Address(value)


def _parse_ipv4_part(part: str) -> int:
    lowered = part.lower()
    if lowered.startswith("0x"):
        return int(lowered[2:] or "0", 16)
    if len(part) > 1 and part.startswith("0"):
        return int(part, 8)
    return int(part)
