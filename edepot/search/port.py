"""The search-index port: what the use-case layer needs from a full-text engine.

Two adapters implement it and pass one contract suite: `TantivyIndex` (the default) and
`WhooshIndex` (pure Python). Access control is part of `search`: an engine puts the audience's
filter into the query itself, so totals and facet counts never include what the caller may not see.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Protocol

from edepot.search.model import IndexDocument, Query, SearchResult


class SearchIndex(Protocol):
    """A full-text index of records. Writes become visible to `search` after `commit()`."""

    name: str

    def add(self, docs: Iterable[IndexDocument]) -> int:
        """Add or replace (same record_id) documents in bulk; returns how many were added."""
        ...

    def delete(self, record_ids: Iterable[str]) -> None:
        """Remove documents by record id; unknown ids are ignored."""
        ...

    def search(self, query: Query) -> SearchResult:
        """One page of hits, the total and facet counts, limited to what `query.audience` may see."""
        ...

    def generation(self) -> Hashable:
        """An opaque value that changes whenever a commit (of this process or another) becomes
        visible; after it returns, `search` answers from that generation or a newer one."""
        ...

    def count(self) -> int:
        """Committed documents in the index, regardless of audience (for operators and reindex)."""
        ...

    def clear(self) -> None:
        """Remove every document (committed at once); used by `edepot reindex`."""
        ...

    def commit(self) -> None:
        """Make every add and delete so far durable and visible to searches."""
        ...

    def close(self) -> None:
        """Commit what is pending and release the writer lock and files."""
        ...
