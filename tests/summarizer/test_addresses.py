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
    ("spelling", "address"),
    [("2130706433", "127.0.0.1"), ("0x7f.1", "127.0.0.1"), ("017.0.0.1", "15.0.0.1"),
     ("127.1", "127.0.0.1"), ("0x7f.0.0.0x1", "127.0.0.1"), ("10.1", "10.0.0.1")],
)  # fmt: skip
def test_it_reads_every_ipv4_spelling_that_inet_aton_reads(spelling, address):
    assert parse_ip_literal(spelling) == ipaddress.IPv4Address(address)


@pytest.mark.parametrize("host", ["example.org", "1.2.3.4.5", "256.1.1.1", "0x", "08.1.1.1"])
def test_names_and_impossible_numbers_are_not_ip_literals(host):
    assert parse_ip_literal(host) is None


@pytest.mark.parametrize("host", ["169.254.169.254", "10.0.0.1", "[64:ff9b::a9fe:a9fe]"])
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
