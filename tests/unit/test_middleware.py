"""Client address through trusted proxies, https detection, and the token bucket (with a test clock)."""

from __future__ import annotations

import ipaddress

from edepot.middleware import TokenBuckets, client_ip, is_https, is_public
from edepot.settings import RateLimit

PROXY = (ipaddress.ip_network("10.0.0.0/24"),)


def scope(peer: str, scheme: str = "http", **headers: str) -> dict[str, object]:
    return {
        "client": (peer, 50000),
        "scheme": scheme,
        "headers": [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()],
    }


def test_forwarded_headers_from_an_untrusted_peer_are_ignored() -> None:
    spoofed = scope("203.0.113.9", x_forwarded_for="198.51.100.1", x_forwarded_proto="https")
    assert client_ip(spoofed, PROXY) == "203.0.113.9"
    assert not is_https(spoofed, PROXY)
    assert client_ip(spoofed, ()) == "203.0.113.9"


def test_behind_a_trusted_proxy_the_right_most_untrusted_address_is_the_client() -> None:
    forwarded = scope("10.0.0.2", x_forwarded_for="1.2.3.4, 198.51.100.7, 10.0.0.3", x_forwarded_proto="https")
    assert client_ip(forwarded, PROXY) == "198.51.100.7"  # 1.2.3.4 could have been typed by the client
    assert is_https(forwarded, PROXY)


def test_garbage_in_x_forwarded_for_falls_back_to_the_peer() -> None:
    assert client_ip(scope("10.0.0.2", x_forwarded_for="<script>"), PROXY) == "10.0.0.2"


def test_a_direct_https_request_is_https() -> None:
    assert is_https(scope("203.0.113.9", "https"), ())


def test_the_internal_api_is_not_public_everything_else_is() -> None:
    assert not is_public("/api/v1/aips") and not is_public("/api/v1")
    assert is_public("/health") and is_public("/api/public/records") and is_public("/api/v10")


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_lets_a_burst_through_then_asks_to_wait_and_refills_evenly() -> None:
    clock = Clock()
    buckets = TokenBuckets(RateLimit(3, 60), monotonic=clock)

    assert [buckets.take("a") for _ in range(3)] == [0, 0, 0]
    assert buckets.take("a") == 20.0  # one token per 20 s
    assert buckets.take("b") == 0  # per client
    clock.now = 20.0
    assert buckets.take("a") == 0
    assert buckets.take("a") > 0


def test_the_number_of_remembered_clients_is_bounded() -> None:
    buckets = TokenBuckets(RateLimit(1, 60), monotonic=Clock(), max_keys=2)
    for client in ("a", "b", "c"):
        buckets.take(client)
    assert buckets.take("a") == 0  # forgotten, so a full bucket again; memory stays bounded
