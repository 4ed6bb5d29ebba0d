"""Cached search results over the real index: a commit invalidates them at once, the public never
gets a result computed for staff, and the public search JSON is exactly the documented model."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from edepot.api import create_app
from edepot.api_search import RenderedResults, public_search_json, public_search_response
from edepot.errors import ConfigurationError
from edepot.indexing import SearchConfig
from edepot.search import Audience, Query
from edepot.search_service import build_search
from tests.integration.search_service.conftest import PUBLIC, RESTRICTED, World, make_world


def kenmerken(world: World, query: Query) -> set[str]:
    return {world.kenmerk(hit.record_id) for hit in world.search.search(query).hits}


@pytest.mark.parametrize("value", ["-1", "many", "2000000"])
def test_a_cache_size_that_is_not_a_count_is_refused(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigurationError, match="EDEPOT_SEARCH_CACHE"):
        SearchConfig.from_env(tmp_path, {"EDEPOT_SEARCH_CACHE": value})


def test_a_cached_staff_result_is_never_served_to_the_public(world: World) -> None:
    world.search.indexer.sync()
    staff = kenmerken(world, Query("", audience=Audience.INTERNAL, page_size=100))
    assert RESTRICTED in staff
    public = kenmerken(world, Query("", audience=Audience.PUBLIC, page_size=100))
    assert public == PUBLIC
    assert world.search.cache.hits == 0  # two audiences, two entries


def test_the_same_public_query_is_answered_from_the_cache(world: World) -> None:
    world.search.indexer.sync()
    first = world.search.search(Query("", page_size=100))
    assert world.search.cached(Query("", page_size=100)) == first
    assert world.search.search(Query("", page_size=100)) == first
    assert world.search.cache.hits >= 2


def test_a_record_removed_from_the_index_leaves_the_cached_results_at_once(world: World) -> None:
    world.search.indexer.sync()
    assert kenmerken(world, Query("", page_size=100)) == PUBLIC
    gone = world.id("001")
    world.search.index.delete([str(gone)])
    world.search.index.commit()
    assert kenmerken(world, Query("", page_size=100)) == PUBLIC - {"001"}


def test_a_commit_by_another_process_invalidates_this_processs_cache(world: World, tmp_path: Path) -> None:
    world.search.indexer.sync()
    world.search.index.close()  # the indexing process is "another" search service on the same index
    reader = build_search(world.services, config=replace(world.search.config), publications=world.publications)
    assert {world.kenmerk(h.record_id) for h in reader.search(Query("", page_size=100)).hits} == PUBLIC
    writer = build_search(world.services, config=world.search.config, publications=world.publications)
    writer.index.delete([str(world.id("044"))])
    writer.index.commit()
    assert {world.kenmerk(h.record_id) for h in reader.search(Query("", page_size=100)).hits} == PUBLIC - {"044"}
    writer.close()
    reader.close()


def test_without_a_cache_every_search_goes_to_the_engine(sample_home: Path, tmp_path: Path) -> None:
    world = make_world(sample_home, tmp_path)
    search = build_search(
        world.services, config=replace(world.search.config, cache_entries=0), publications=world.publications
    )
    search.indexer.sync()
    search.search(Query(""))
    assert search.cached(Query("")) is None
    assert len(search.cache) == 0
    search.close()


def test_the_public_search_json_is_exactly_the_documented_response_model(world: World) -> None:
    world.search.indexer.sync()
    for query in (Query("", page_size=100), Query("grindwinning"), Query("niets-te-vinden-hier")):
        result = world.search.search(query)
        assert json.loads(public_search_json(result)) == json.loads(public_search_response(result).model_dump_json())


def test_the_cache_size_comes_from_the_environment(tmp_path: Path) -> None:
    assert SearchConfig.from_env(tmp_path, {}).cache_entries == 1_000
    assert SearchConfig.from_env(tmp_path, {"EDEPOT_SEARCH_CACHE": "0"}).cache_entries == 0


def test_a_rendered_result_is_reused_only_for_that_very_result_object(world: World) -> None:
    world.search.indexer.sync()
    rendered = RenderedResults(max_entries=2)
    first = world.search.search(Query("", page_size=100))
    body = rendered.json(first)
    assert rendered.json(first) is body  # the cached result again: not serialised again
    other = replace(first, total=first.total + 1)  # another object, never mistaken for the first
    assert json.loads(rendered.json(other))["total"] == first.total + 1
    for n in range(3):
        rendered.json(replace(first, page=n + 2))
    assert rendered.json(first) is not body  # evicted beyond the bound, rendered anew
    assert rendered.json(first) == body


def test_the_public_search_over_http_answers_the_same_from_the_cache(world: World) -> None:
    world.search.indexer.sync()
    app = create_app(world.services)
    app.state.search = world.search
    with TestClient(app) as client:
        first = client.get("/api/public/v1/search", params={"page_size": 100})
        again = client.get("/api/public/v1/search", params={"page_size": 100})
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert {world.kenmerk(h["id"]) for h in again.json()["hits"]} == PUBLIC
    assert world.search.cache.hits >= 1
