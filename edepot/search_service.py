"""Search use cases for the API, the portal and the command line: search, record views and public
file downloads, the indexer and its status. `build_search(services)` wires them for a `Services`.

What the public may see is decided twice, independently: the search index filters inside the
engine query (`Audience.PUBLIC`), and a record page or download decides afresh from the catalog,
the sidecar in storage and the `Publications` port (`edepot.openbaarheid`), so a stale index can
never hand out a record that is no longer public. Anything not public answers `NotPublic` (404,
the same message whether the record exists or not), or `Withdrawn` (410) for a Woo publication
that was withdrawn.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, BinaryIO
from uuid import UUID

from edepot.errors import EdepotError, NotFound
from edepot.indexing import (
    Indexer,
    SearchConfig,
    file_name,
    formaat,
    index_document,
    is_current,
    local_today,
    payloads_of,
    read_sidecar,
)
from edepot.indexing_state import IndexState, InMemoryIndexState, StateRow
from edepot.model import Aip, AipStatus, FileEntry, RecordEntry
from edepot.openbaarheid import Toegang, beoordeel, feiten_van
from edepot.publications import NoPublications, Publications
from edepot.search import IndexDocument, Query, SearchIndex, SearchResult, open_index
from edepot.search.cache import ResultCache


class NotPublic(NotFound):
    """404 for anything the public may not see, with one message for every case (nothing leaks)."""

    code = "not-found"
    title = "Not found"

    def __init__(self) -> None:
        super().__init__(
            "no public record or file with this identifier",
            hint="search the public records at /api/public/v1/search",
        )


class Withdrawn(EdepotError):
    """410: the Woo publication of this record was withdrawn."""

    code = "withdrawn"
    title = "Gone"
    http_status = 410
    exit_code = 66

    def __init__(self, reason: str) -> None:
        super().__init__(f"this publication was withdrawn: {reason}", reason=reason)
        self.reason = reason


@dataclass(frozen=True)
class FileView:
    bestand_id: UUID
    naam: str
    mime: str
    size: int
    formaat: str
    puid: str | None


@dataclass(frozen=True)
class RecordView:
    """A record as a page shows it: the catalog entry, its index document (no full text), the
    access decision of today and its files."""

    record: RecordEntry
    document: IndexDocument
    toegang: Toegang
    files: tuple[FileView, ...]
    state: StateRow | None = None


class SearchService:
    def __init__(
        self,
        services: Any,
        config: SearchConfig,
        *,
        state: IndexState,
        publications: Publications | None = None,
        index: SearchIndex | None = None,
    ) -> None:
        self.services = services
        self.config = config
        self.state = state
        self.publications: Publications = publications or NoPublications()
        self._index = index
        self._indexer: Indexer | None = None
        self._lock = threading.Lock()
        self.cache = ResultCache(config.cache_entries)

    # -- the index ---------------------------------------------------------------------------------

    @property
    def index(self) -> SearchIndex:
        """The search index, opened on first use (so building the app touches no files)."""
        if self._index is None:
            with self._lock:
                if self._index is None:
                    self._index = open_index(self.config.engine, self.config.index_path)
        return self._index

    @property
    def indexer(self) -> Indexer:
        if self._indexer is None:
            self._indexer = Indexer(self.services, self.index, self.state, self.publications, self.config)
        return self._indexer

    def close(self) -> None:
        if self._index is not None:
            self._index.close()

    def search(self, query: Query) -> SearchResult:
        """The engine's answer, from the cache when the same query (same audience) was answered on
        this index generation before."""
        generation = self.index.generation()
        found = self.cache.get(generation, query)
        if found is None:
            found = self.index.search(query)
            self.cache.put(generation, query, found)
        return found

    def cached(self, query: Query) -> SearchResult | None:
        """The cached answer, or None (then call `search`): cheap enough for an event loop."""
        if not self.cache.max_entries:
            return None
        return self.cache.get(self.index.generation(), query)

    def today(self) -> date:
        return local_today(self.services.clock.now())

    # -- records -----------------------------------------------------------------------------------

    def _aip_of(self, record: RecordEntry) -> Aip:
        return self.services.catalog.get_aip(record.aip_id)  # type: ignore[no-any-return]

    def record_view(self, record_id: UUID, *, public: bool) -> RecordView:
        """The record as of today. With `public`, only a public record of the newest stored version:
        NotPublic (404) otherwise, Withdrawn (410) for a withdrawn Woo publication."""
        try:
            record = self.services.catalog.get_record(record_id)
            aip = self._aip_of(record)
        except NotFound:
            raise NotPublic() if public else NotFound(f"record {record_id} is not in the catalog") from None
        if public and not is_current(self.services.catalog, aip):
            raise NotPublic()
        if not public and aip.status is AipStatus.AANGEMAAKT:
            raise NotFound(f"record {record_id} is not (yet) stored", hint="wait for the ingest to finish")
        io = read_sidecar(self.services.store, record)
        woo = self.publications.categorieen([record.id])  # one question: published, and under what
        published = record.id in woo
        toegang = beoordeel(
            feiten_van(io, gepubliceerd=published),
            vandaag=self.today(),
            openbaar_na_jaren=self.config.openbaar_na_jaren,
        )
        if public and not toegang.public:
            reason = self.publications.withdrawal(record.id)
            raise Withdrawn(reason) if reason else NotPublic()
        payloads = payloads_of(record, aip.files)
        document = index_document(
            record,
            io,
            payloads,
            toegang,
            organisatie=self.services.settings.organisation,
            woo_categorieen=woo.get(record.id, ()),
        )
        files = tuple(
            FileView(
                bestand_id=f.bestand_id,
                naam=file_name(f),
                mime=f.mime or "application/octet-stream",
                size=f.size,
                formaat=formaat(f.mime, f.puid),
                puid=f.puid,
            )
            for f in payloads
            if f.bestand_id is not None
        )
        return RecordView(record, document, toegang, files, None if public else self.state.get(record.id))

    def public_file(self, record_id: UUID, bestand_id: UUID) -> tuple[RecordView, FileEntry]:
        """A payload file of a public record, from the ledger; NotPublic for anything else."""
        view = self.record_view(record_id, public=True)
        aip = self._aip_of(view.record)
        for entry in payloads_of(view.record, aip.files):
            if entry.bestand_id == bestand_id:
                return view, entry
        raise NotPublic()

    @contextmanager
    def open_file(self, entry: FileEntry) -> Iterator[BinaryIO]:
        with self.services.store.open(entry.key) as handle:
            yield handle

    def status(self) -> dict[str, Any]:
        return self.indexer.status()


def build_search(
    services: Any,
    *,
    config: SearchConfig | None = None,
    publications: Publications | None = None,
    index: SearchIndex | None = None,
) -> SearchService:
    """The SearchService for `services`: the SQL index-sync state in the catalog database, or the
    in-memory fake beside an in-memory catalog; settings from the environment unless given."""
    from edepot.catalog.memory import InMemoryCatalog

    config = config or SearchConfig.from_env(services.settings.home)
    if isinstance(services.catalog, InMemoryCatalog):
        state: IndexState = InMemoryIndexState()
    else:
        from edepot.catalog.search_sql import SqlIndexState
        from edepot.catalog.sql import create_engine_for

        state = SqlIndexState(create_engine_for(services.settings.catalog_url))
    if publications is None:  # what the Woo feature published
        from edepot.woo_service import woo_publications

        publications = woo_publications(services)
    return SearchService(services, config, state=state, publications=publications, index=index)
