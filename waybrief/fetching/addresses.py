"""Which addresses a user-supplied URL may reach.

Only addresses the IANA special-purpose registries call globally reachable
pass (``SPECIAL_PURPOSE``), and of the rest only unicast. The IPv6 transition prefixes
(NAT64, 6to4, Teredo) are refused whole, whatever IPv4 address they carry;
IPv4-mapped and IPv4-compatible forms are judged by the IPv4 address inside,
since that is where the packet would end up.
"""

from __future__ import annotations

import ipaddress
import re

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_TRANSITION = (*_NAT64, ipaddress.ip_network("2002::/16"), ipaddress.ip_network("2001::/32"))

# The IANA Special-Purpose Address Registries, transcribed row by row with their
# "Globally Reachable" column (True, False, or N/A, which counts as False):
#   IANA IPv4 Special-Purpose Address Registry, version last updated 2020-09-04;
#   IANA IPv6 Special-Purpose Address Registry, version last updated 2024-10-22.
# The most specific row holding an address decides. When a registry changes,
# change the row here and its edges in tests/waybrief/test_sec_addresses.py.
SPECIAL_PURPOSE: tuple[tuple[str, str, bool], ...] = (
    ("0.0.0.0/8", '"This network"', False),
    ("0.0.0.0/32", '"This host on this network"', False),
    ("10.0.0.0/8", "Private-Use", False),
    ("100.64.0.0/10", "Shared Address Space", False),
    ("127.0.0.0/8", "Loopback", False),
    ("169.254.0.0/16", "Link Local", False),
    ("172.16.0.0/12", "Private-Use", False),
    ("192.0.0.0/24", "IETF Protocol Assignments", False),
    ("192.0.0.0/29", "IPv4 Service Continuity Prefix", False),
    ("192.0.0.8/32", "IPv4 dummy address", False),
    ("192.0.0.9/32", "Port Control Protocol Anycast", True),
    ("192.0.0.10/32", "Traversal Using Relays around NAT Anycast", True),
    ("192.0.0.170/32", "NAT64/DNS64 Discovery", False),
    ("192.0.0.171/32", "NAT64/DNS64 Discovery", False),
    ("192.0.2.0/24", "Documentation (TEST-NET-1)", False),
    ("192.31.196.0/24", "AS112-v4", True),
    ("192.52.193.0/24", "AMT", True),
    ("192.88.99.0/24", "Deprecated (6to4 Relay Anycast)", False),  # N/A
    ("192.168.0.0/16", "Private-Use", False),
    ("192.175.48.0/24", "Direct Delegation AS112 Service", True),
    ("198.18.0.0/15", "Benchmarking", False),
    ("198.51.100.0/24", "Documentation (TEST-NET-2)", False),
    ("203.0.113.0/24", "Documentation (TEST-NET-3)", False),
    ("240.0.0.0/4", "Reserved", False),
    ("255.255.255.255/32", "Limited Broadcast", False),
    ("::1/128", "Loopback Address", False),
    ("::/128", "Unspecified Address", False),
    ("::ffff:0:0/96", "IPv4-mapped Address", False),  # judged by the IPv4 inside
    ("64:ff9b::/96", "IPv4-IPv6 Translat.", True),  # refused whole: NAT64
    ("64:ff9b:1::/48", "IPv4-IPv6 Translat.", False),
    ("100::/64", "Discard-Only Address Block", False),
    ("2001::/23", "IETF Protocol Assignments", False),
    ("2001::/32", "TEREDO", False),  # N/A
    ("2001:1::1/128", "Port Control Protocol Anycast", True),
    ("2001:1::2/128", "Traversal Using Relays around NAT Anycast", True),
    ("2001:1::3/128", "DNS-SD Service Registration Protocol Anycast", True),
    ("2001:2::/48", "Benchmarking", False),
    ("2001:3::/32", "AMT", True),
    ("2001:4:112::/48", "AS112-v6", True),
    ("2001:10::/28", "Deprecated (previously ORCHID)", False),  # N/A
    ("2001:20::/28", "ORCHIDv2", True),
    ("2001:30::/28", "Drone Remote ID Protocol Entity Tags (DETs) Prefix", True),
    ("2001:db8::/32", "Documentation", False),
    ("2002::/16", "6to4", False),  # N/A
    ("2620:4f:8000::/48", "Direct Delegation AS112 Service", True),
    ("3fff::/20", "Documentation", False),
    ("5f00::/16", "Segment Routing (SRv6) SIDs", False),
    ("fc00::/7", "Unique-Local", False),
    ("fe80::/10", "Link-Local Unicast", False),
)
_SPECIAL = sorted(
    ((ipaddress.ip_network(block), reachable) for block, _name, reachable in SPECIAL_PURPOSE),
    key=lambda row: row[0].prefixlen,
    reverse=True,  # most specific first
)
# Outside the special-purpose tables: IPv4 multicast (the IPv4 Multicast Address
# Space Registry) is never a page, and IPv6 outside 2000::/3, the only block the
# IPv6 Address Space registry gives to Global Unicast, holds site-local fec0::/10,
# multicast and blocks reserved by the IETF.
_IPV4_MULTICAST = ipaddress.ip_network("224.0.0.0/4")
_IPV6_GLOBAL_UNICAST = ipaddress.ip_network("2000::/3")


def globally_reachable(address: IPAddress) -> bool:
    """What the registries say of ``address`` alone, before the transition policy."""
    for network, reachable in _SPECIAL:
        if address.version == network.version and address in network:
            return reachable
    if isinstance(address, ipaddress.IPv4Address):
        return address not in _IPV4_MULTICAST
    return address in _IPV6_GLOBAL_UNICAST


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
    """True only for addresses a fetch of an untrusted URL may connect to: those
    the registries call globally reachable, less the IPv6 transition prefixes."""
    if isinstance(address, ipaddress.IPv6Address):
        # Refused whole: a server-side fetcher never needs these, and they are classic bypasses.
        if any(address in net for net in _TRANSITION):
            return False
        inner = embedded_ipv4(address)
        if inner:
            return all(is_public_address(v4) for v4 in inner)
        if address.scope_id:
            return False
    return globally_reachable(address)


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


# Names that never lead to a public host: RFC 6761/6762/8375 special-use names
# and the suffixes private networks use by habit.
_PRIVATE_SUFFIXES = (
    "localhost", "local", "internal", "lan", "home.arpa", "localdomain", "intranet",
)


def why_not_public_host(host: str) -> str:
    """Why ``host`` cannot be a public host ("" when it may be), judged from its
    spelling alone: an IP literal by ``is_public_address``, a name by its form.

    No name is looked up here, on purpose: this runs for every URL of a
    10,000-URL job, and a lookup now proves nothing about the address later.
    Names that resolve to private addresses are the fetcher's guard's to refuse.
    """
    name = host.strip().lower().rstrip(".")
    literal = parse_ip_literal(name)
    if literal is not None:
        return "" if is_public_address(literal) else f"{host} is not a public address"
    if "." not in name:
        return f"{host} is a single-label name, not a public host"
    if any(name == s or name.endswith("." + s) for s in _PRIVATE_SUFFIXES):
        return f"{host} is a local or internal name, not a public host"
    return ""
