"""Token buckets of the rate limits, with a clock the test moves (no waiting)."""

from __future__ import annotations

from toolkit.server.limits import ADDRESS_LIMIT, TOKEN_LIMIT, Buckets, Limit


def test_a_bucket_allows_its_burst_then_refills_at_its_rate() -> None:
    buckets = Buckets(Limit(burst=3, per_minute=60))  # one a second
    assert [buckets.take("phone", now=0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = buckets.take("phone", now=0.0)
    assert 0.9 < wait <= 1.0
    assert buckets.take("other", now=0.0) == 0.0  # keys are independent
    assert buckets.take("phone", now=1.01) == 0.0
    assert buckets.take("phone", now=1.02) > 0.0


def test_a_whole_venue_behind_one_address_is_not_limited() -> None:
    """1,000 phones behind one NAT, each joining and voting at once: 2,000 writes."""
    venue = Buckets(ADDRESS_LIMIT)
    assert all(venue.take("192.0.2.10", now=0.0) == 0.0 for _ in range(2000))
    assert TOKEN_LIMIT.burst >= 20  # one phone's whole workshop (cards, scores, votes)
