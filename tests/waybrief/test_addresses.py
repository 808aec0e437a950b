"""The address check, as a function: nothing here opens a connection."""

import ipaddress

import pytest

from waybrief.fetching.addresses import is_public_address, parse_ip_literal
from waybrief.fetching.errors import BlockedAddress
from waybrief.fetching.transport import AddressGuard

REFUSED = [
    "127.0.0.1", "2130706433", "0x7f.1", "0x7f000001", "017700000001", "127.1", "[::1]",
    "[::ffff:127.0.0.1]", "169.254.169.254", "10.0.0.1", "172.16.5.4", "192.168.1.1",
    "100.64.0.1", "100.127.255.254", "0.0.0.0", "[::]", "[fe80::1]", "[fc00::1]",
    "224.0.0.1", "255.255.255.255", "[64:ff9b::a9fe:a9fe]", "[64:ff9b::7f00:1]",
    "[2002:7f00:1::]", "[2002:a9fe:a9fe::]", "[2001:0:4136:e378:8000:63bf:80ff:fffe]",
    "[::ffff:169.254.169.254]", "[::127.0.0.1]", "198.18.0.1", "240.0.0.1",
]  # fmt: skip
ALLOWED = ["8.8.8.8", "1.1.1.1", "93.184.215.14", "[2606:4700:4700::1111]", "[2a00:1450::1]"]


@pytest.mark.parametrize("host", REFUSED)
def test_it_refuses_private_local_and_reserved_addresses(host):
    address = parse_ip_literal(host)
    assert address is not None, host
    assert is_public_address(address) is False


@pytest.mark.parametrize("host", ALLOWED)
def test_it_allows_public_addresses(host):
    assert is_public_address(parse_ip_literal(host)) is True


@pytest.mark.parametrize(
    ("host", "why"),
    [("[fd00:ec2::254]", "AWS IPv6 instance metadata (unique local)"),
     ("[fe80::]", "link-local"), ("[fe80::a9fe:a9fe]", "link-local"),
     ("[febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff]", "link-local, last"),
     ("[ff02::1]", "multicast, all nodes"), ("[ff05::1:3]", "multicast, site DHCP"),
     ("[::]", "unspecified"), ("[::1]", "loopback"),
     ("0.0.0.0", "this network, first"), ("0.1.2.3", "this network"),
     ("0.255.255.255", "this network, last"), ("0", "this network, as one number")],
)  # fmt: skip
def test_it_refuses_metadata_link_local_multicast_and_unspecified(host, why):
    assert is_public_address(parse_ip_literal(host)) is False, why


@pytest.mark.parametrize(
    ("host", "public"),
    [("100.63.255.255", True), ("100.64.0.0", False), ("100.64.0.1", False),
     ("100.100.100.200", False), ("100.127.255.255", False), ("100.128.0.0", True),
     ("0.255.255.255", False), ("1.0.0.0", True)],
)  # fmt: skip
def test_cgnat_and_this_network_end_exactly_at_their_edges(host, public):
    """GIVEN the first and last address inside 100.64.0.0/10 and 0.0.0.0/8 and
    their public neighbours WHEN checked THEN only the neighbours pass."""
    assert is_public_address(parse_ip_literal(host)) is public


@pytest.mark.parametrize(
    "host",
    [
        # NAT64, well-known and local-use prefixes, carrying public and private IPv4.
        "[64:ff9b::808:808]", "[64:ff9b::8.8.8.8]", "[64:ff9b::a00:1]", "[64:ff9b::a9fe:a9fe]",
        "[64:ff9b:1::808:808]", "[64:ff9b:1:ffff::a00:1]",
        # 6to4, public and private inside.
        "[2002:808:808::1]", "[2002:101:101::]", "[2002:a00:1::1]", "[2002:a9fe:a9fe::]",
        # Teredo: server and client both public, and a private client.
        "[2001:0:4136:e378:8000:63bf:f7f7:f7f7]", "[2001::1]",
        "[2001:0:4136:e378:8000:63bf:f5ff:fffe]",
    ],
)  # fmt: skip
def test_transition_prefixes_are_refused_whole_whatever_ipv4_they_carry(host):
    """GIVEN a NAT64, 6to4 or Teredo address WHEN checked THEN it is refused,
    even when the IPv4 address inside (8.8.8.8, 1.1.1.1) is public."""
    assert is_public_address(parse_ip_literal(host)) is False


def test_mapped_ipv4_is_still_judged_by_the_address_inside():
    """GIVEN ::ffff:a.b.c.d (what a dual-stack socket really connects to)
    WHEN checked THEN a public inside passes and a private one does not."""
    assert is_public_address(parse_ip_literal("[::ffff:8.8.8.8]")) is True
    assert is_public_address(parse_ip_literal("[::ffff:10.0.0.1]")) is False


@pytest.mark.parametrize(
    ("spelling", "address"),
    [("2130706433", "127.0.0.1"), ("0x7f.1", "127.0.0.1"), ("017.0.0.1", "15.0.0.1"),
     ("127.1", "127.0.0.1"), ("0x7f.0.0.0x1", "127.0.0.1"), ("10.1", "10.0.0.1")],
)  # fmt: skip
def test_it_reads_every_ipv4_spelling_that_inet_aton_reads(spelling, address):
    assert parse_ip_literal(spelling) == ipaddress.IPv4Address(address)


@pytest.mark.parametrize("host", ["example.org", "1.2.3.4.5", "256.1.1.1", "0x", "08.1.1.1"])
def test_names_and_impossible_numbers_are_not_ip_literals(host):
    assert parse_ip_literal(host) is None


@pytest.mark.parametrize(
    "host",
    ["169.254.169.254", "10.0.0.1", "[64:ff9b::a9fe:a9fe]", "[fd00:ec2::254]", "100.64.0.1",
     "[64:ff9b::808:808]", "[2002:808:808::1]"],
)  # fmt: skip
def test_the_guard_refuses_metadata_and_private_hosts_before_any_connection(host):
    guard = AddressGuard(allow_private=False, resolver=_no_lookups)
    with pytest.raises(BlockedAddress, match="private, local or reserved"):
        guard.addresses(host, 80)


def test_the_guard_refuses_a_name_if_any_of_its_addresses_is_private():
    guard = AddressGuard(allow_private=False, resolver=lambda host, port: ["8.8.8.8", "10.0.0.7"])
    with pytest.raises(BlockedAddress):
        guard.addresses("mixed.test", 80)


def test_the_guard_lets_everything_through_when_private_fetching_is_allowed():
    guard = AddressGuard(allow_private=True, resolver=_no_lookups)
    assert guard.addresses("10.0.0.1", 80) == ["10.0.0.1"]


def _no_lookups(host: str, port: int) -> list[str]:
    raise AssertionError(f"no name lookup expected for {host}")
