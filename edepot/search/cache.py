"""A bounded cache of search results, keyed on the index generation and the whole query. Pure.

A result is only ever served for the same index generation (a commit, by this process or another,
makes a new one, so nothing stale survives it) and for the same query *including its audience*:
a result computed for the internal audience is never handed to the public, nor the other way
round. The least recently used entry goes first once `max_entries` are held; 0 disables caching.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

from edepot.search.model import Query, SearchResult

DEFAULT_ENTRIES = 1_000

CacheKey = tuple[Hashable, ...]


def query_key(query: Query) -> CacheKey:
    """Every field of `query` that can change its result (the audience first)."""
    filters = tuple(sorted((facet.value, tuple(values)) for facet, values in query.filters.items()))
    return (
        query.audience.value,
        query.text,
        filters,
        query.date_from,
        query.date_to,
        query.sort.value,
        query.page,
        query.page_size,
    )


class ResultCache:
    """Search results per (index generation, query); thread-safe, least recently used evicted first."""

    def __init__(self, max_entries: int = DEFAULT_ENTRIES) -> None:
        if max_entries < 0:
            raise ValueError("max_entries must be 0 (no cache) or more")
        self.max_entries = max_entries
        self._entries: OrderedDict[CacheKey, SearchResult] = OrderedDict()
        self._generation: Hashable = None
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, generation: Hashable, query: Query) -> SearchResult | None:
        if not self.max_entries:
            return None
        key = query_key(query)
        with self._lock:
            if generation != self._generation:  # a commit: everything held is of an older index
                self._entries.clear()
                self._generation = generation
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found

    def put(self, generation: Hashable, query: Query, result: SearchResult) -> None:
        if not self.max_entries:
            return
        key = query_key(query)
        with self._lock:
            if generation != self._generation:  # computed on an index older than the one now served
                return
            self._entries[key] = result
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
