"""Search: the index port, its two engines (tantivy, whoosh), Dutch analysis and text extraction.

Callers build `IndexDocument`s, add them in bulk, commit, and ask with a `Query` that carries
the caller's `Audience`. `open_index` is the one place that picks an engine by name.
"""

from __future__ import annotations

from pathlib import Path

from edepot.errors import ConfigurationError
from edepot.search.model import (
    Audience,
    Facet,
    Hit,
    IndexDocument,
    Openbaarheid,
    Query,
    SearchResult,
    Snippet,
    Sortering,
    iso_date,
    snippet_html,
)
from edepot.search.port import SearchIndex

ENGINES = ("tantivy", "whoosh")


def open_index(engine: str, path: Path | str) -> SearchIndex:
    """The search index of `engine` ("tantivy", the default, or "whoosh") in directory `path`."""
    if engine == "tantivy":
        from edepot.search.tantivy_index import TantivyIndex

        return TantivyIndex(path)
    if engine == "whoosh":
        from edepot.search.whoosh_index import WhooshIndex

        return WhooshIndex(path)
    raise ConfigurationError(
        f"unknown search engine {engine!r}", hint=f"set the search engine to one of {', '.join(ENGINES)}"
    )


__all__ = [
    "ENGINES",
    "Audience",
    "Facet",
    "Hit",
    "IndexDocument",
    "Openbaarheid",
    "Query",
    "SearchIndex",
    "SearchResult",
    "Snippet",
    "Sortering",
    "iso_date",
    "open_index",
    "snippet_html",
]
