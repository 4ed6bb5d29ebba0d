"""The result cache serves a result again only for the same index generation and the same query,
audience included, and holds at most its bound."""

from __future__ import annotations

from datetime import date

import pytest

from edepot.search.cache import ResultCache, query_key
from edepot.search.model import Audience, Facet, Query, SearchResult


def result(total: int) -> SearchResult:
    return SearchResult(total=total, hits=())


def test_a_negative_bound_is_refused() -> None:
    with pytest.raises(ValueError, match="max_entries"):
        ResultCache(-1)


def test_a_cache_of_size_zero_holds_nothing() -> None:
    cache = ResultCache(0)
    cache.put(1, Query("a"), result(1))
    assert cache.get(1, Query("a")) is None
    assert len(cache) == 0


def test_an_unknown_query_is_a_miss() -> None:
    assert ResultCache().get(1, Query("vergunning")) is None


def test_a_result_is_served_again_for_the_same_query_on_the_same_generation() -> None:
    cache = ResultCache()
    assert cache.get(1, Query("vergunning")) is None
    cache.put(1, Query("vergunning"), result(7))
    assert cache.get(1, Query("vergunning")) == result(7)


def test_a_new_index_generation_empties_the_cache() -> None:
    cache = ResultCache()
    cache.get(1, Query("vergunning"))
    cache.put(1, Query("vergunning"), result(7))
    assert cache.get(2, Query("vergunning")) is None
    assert len(cache) == 0
    assert cache.get(1, Query("vergunning")) is None  # and an older one does not bring it back


def test_a_result_of_an_older_generation_is_not_stored_once_a_newer_one_was_seen() -> None:
    cache = ResultCache()
    cache.get(2, Query("vergunning"))
    cache.put(1, Query("vergunning"), result(7))
    assert cache.get(2, Query("vergunning")) is None


def test_the_public_never_gets_a_result_cached_for_the_internal_audience() -> None:
    cache = ResultCache()
    internal = Query("vergunning", audience=Audience.INTERNAL)
    cache.get(1, internal)
    cache.put(1, internal, result(10))
    assert cache.get(1, Query("vergunning", audience=Audience.PUBLIC)) is None
    assert cache.get(1, internal) == result(10)


@pytest.mark.parametrize(
    "other",
    [
        Query("vergunning", filters={Facet.ORGANISATIE: ("Provincie Limburg",)}),
        Query("vergunning", filters={Facet.ORGANISATIE: ("Gemeente Venlo",)}),
        Query("vergunning", page=2),
        Query("vergunning", page_size=10),
        Query("vergunning", sort="date_desc"),
        Query("vergunning", date_from=date(1990, 1, 1)),
        Query("vergunning", date_to=date(1990, 1, 1)),
        Query("Vergunning"),
    ],
)
def test_every_part_of_a_query_is_part_of_its_key(other: Query) -> None:
    assert query_key(other) != query_key(Query("vergunning"))


def test_filter_order_does_not_matter() -> None:
    one = Query("a", filters={Facet.ORGANISATIE: ("x",), Facet.DOCUMENTSOORT: ("y",)})
    two = Query("a", filters={Facet.DOCUMENTSOORT: ("y",), Facet.ORGANISATIE: ("x",)})
    assert query_key(one) == query_key(two)


def test_the_least_recently_used_result_goes_first_beyond_the_bound() -> None:
    cache = ResultCache(2)
    for text in ("a", "b"):
        cache.get(1, Query(text))
        cache.put(1, Query(text), result(1))
    cache.get(1, Query("a"))  # "a" used: "b" is now the oldest
    cache.put(1, Query("c"), result(3))
    assert len(cache) == 2
    assert cache.get(1, Query("b")) is None
    assert cache.get(1, Query("a")) is not None
    assert cache.get(1, Query("c")) is not None
