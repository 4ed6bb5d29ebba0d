"""Keeping the search index in step with the catalog: asynchronous, in bulk, never in an ingest's way.

Ingest knows nothing of search. The `Indexer` reconciles afterwards: `discover()` compares the
records the index should hold (every record of the newest stored version of each AIP) with the
index-sync state (`IndexState`), queues new and changed records and removes records whose AIP was
superseded, destroyed or damaged; `run_pending()` builds small `IndexDocument`s for the queued
records (metadata from the catalog and the MDTO sidecar, full text extracted from the payload in
storage, the access decision of `edepot.openbaarheid`) and adds them in batches. A record that
fails is retried with exponential backoff and reported: one event per run with failures, and
`status()`. `open_lapsed(today)` is the daily job: records whose access decision changes today
(a restriction's term lapsed, a record became old enough) are rebuilt, and each record that thereby
becomes public is recorded as a `Publicatie` event. `BackgroundIndexer` runs all this in a thread
of `edepot serve`; `edepot index sync` and `edepot reindex` run it from the command line.

The index lives in `EDEPOT_HOME/index/<engine>`; the engine is `EDEPOT_SEARCH_ENGINE` (tantivy,
the default, or whoosh). Only one process writes an index at a time (the engines lock it); a
second writer fails its batch, which is retried later.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any
from uuid import UUID

from edepot.errors import ConfigurationError, EdepotError, InvalidInput, NotFound, StorageError
from edepot.indexing_state import IndexState, StateRow, SyncStatus
from edepot.mdto.model import Informatieobject
from edepot.mdto.reader import from_xml
from edepot.model import Aip, AipStatus, EventOutcome, FileEntry, FileKind, RecordEntry
from edepot.openbaarheid import OPENBAAR_NA_JAREN, Toegang, beoordeel, feiten_van, laatste_dag
from edepot.publications import Publications
from edepot.search import ENGINES, IndexDocument, SearchIndex, extract
from edepot.search.model import MAX_FULL_TEXT_CHARS, iso_date

log = logging.getLogger(__name__)

INDEXERING = "search indexing"  # event type: a run with failures (PREMIS has no better fit)
OPENBAARMAKING = "Publicatie"  # MDTO EventType: a record became visible to the public
PAGE = 1000
MAX_ERROR_CHARS = 1000
TEXT_SUFFIXES = frozenset({".pdf", ".txt", ".csv", ".md", ".htm", ".html", ".xhtml", ".odt", ".ods", ".odp"})
TEXT_SUFFIXES |= frozenset({".docx", ".xlsx", ".pptx"})
TEXT_MIMES = frozenset({"application/pdf", "text/plain", "text/csv", "text/markdown", "text/html"})
TEXT_MIMES |= frozenset({"application/xhtml+xml"}) | extract.ODF_MIMES | frozenset(extract.OOXML_MIMES)


@dataclass(frozen=True)
class SearchConfig:
    """Search settings: engine, index directory, the age at which B records open, batching, retries."""

    engine: str = "tantivy"
    index_path: Path = Path("var/index/tantivy")
    openbaar_na_jaren: int = OPENBAAR_NA_JAREN
    batch_size: int = 500
    interval_seconds: float = 5.0  # how often the background indexer looks for work
    retry_base_seconds: float = 30.0  # first retry after this, doubling per attempt
    retry_max_seconds: float = 3600.0
    cache_entries: int = 1_000  # search results cached per process, per index generation (0: none)

    @classmethod
    def from_env(cls, home: Path, environ: Mapping[str, str] | None = None) -> SearchConfig:
        """EDEPOT_SEARCH_ENGINE (tantivy|whoosh), EDEPOT_PUBLIC_AFTER_YEARS (default 20; 0: no age
        test), EDEPOT_SEARCH_INTERVAL (seconds between background runs, default 5),
        EDEPOT_SEARCH_CACHE (search results cached per API process, default 1000; 0: no cache)."""
        env = os.environ if environ is None else environ
        engine = env.get("EDEPOT_SEARCH_ENGINE", "").strip().lower() or "tantivy"
        if engine not in ENGINES:
            raise ConfigurationError(
                f"EDEPOT_SEARCH_ENGINE={engine!r} is not a search engine",
                hint=f"use one of {', '.join(ENGINES)}",
                setting="EDEPOT_SEARCH_ENGINE",
            )
        years = _number(env, "EDEPOT_PUBLIC_AFTER_YEARS", OPENBAAR_NA_JAREN, int)
        interval = _number(env, "EDEPOT_SEARCH_INTERVAL", 5.0, float)
        cache = _number(env, "EDEPOT_SEARCH_CACHE", cls.cache_entries, int)
        if cache < 0 or cache > 1_000_000:
            raise ConfigurationError(
                f"EDEPOT_SEARCH_CACHE={cache} must be 0 (no cache) .. 1000000 results",
                setting="EDEPOT_SEARCH_CACHE",
            )
        if years < 0 or years > 200 or interval <= 0:
            raise ConfigurationError(
                "EDEPOT_PUBLIC_AFTER_YEARS must be 0..200 and EDEPOT_SEARCH_INTERVAL positive",
                setting="EDEPOT_PUBLIC_AFTER_YEARS",
            )
        return cls(
            engine=engine,
            index_path=home / "index" / engine,
            openbaar_na_jaren=years,
            interval_seconds=interval,
            cache_entries=cache,
        )


def _number(env: Mapping[str, str], name: str, default: Any, kind: type) -> Any:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return kind(raw)
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r} is not a number", setting=name) from None


# --- index documents (pure) ----------------------------------------------------------------------

_DOCUMENTSOORTEN = {
    "application/pdf": "PDF-document",
    "text/html": "Webpagina",
    "application/xhtml+xml": "Webpagina",
    "text/plain": "Tekst",
    "text/csv": "Tabel",
    "message/rfc822": "E-mail",
    "application/vnd.ms-outlook": "E-mail",
    "application/json": "Bericht",
    "application/vnd.oasis.opendocument.text": "Tekstdocument",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Tekstdocument",
    "application/msword": "Tekstdocument",
    "application/vnd.oasis.opendocument.spreadsheet": "Rekenblad",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Rekenblad",
    "application/vnd.oasis.opendocument.presentation": "Presentatie",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "Presentatie",
}
_FORMATEN = {
    "application/pdf": "PDF",
    "image/tiff": "TIFF",
    "image/jp2": "JPEG 2000",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "text/plain": "tekst",
    "text/html": "HTML",
    "text/csv": "CSV",
    "application/json": "JSON",
    "message/rfc822": "EML",
}


def base_mime(mime: str | None) -> str:
    return (mime or "").split(";")[0].strip().lower()


def documentsoort(mime: str | None) -> str:
    """A Dutch label for what kind of document a file is, from its MIME type."""
    base = base_mime(mime)
    if base in _DOCUMENTSOORTEN:
        return _DOCUMENTSOORTEN[base]
    if base.startswith("image/"):
        return "Afbeelding (scan)"
    if base.startswith("audio/"):
        return "Geluid"
    if base.startswith("video/"):
        return "Video"
    return "Overig"


def formaat(mime: str | None, puid: str | None = None) -> str:
    """A short format name for people: PDF, TIFF, JPEG 2000 ... (else the MIME subtype or the PUID)."""
    base = base_mime(mime)
    if base in _FORMATEN:
        return _FORMATEN[base]
    if base.startswith(("application/vnd.openxmlformats", "application/vnd.oasis")):
        return {"Tekstdocument": "tekstdocument", "Rekenblad": "rekenblad"}.get(documentsoort(base), "kantoor")
    if "/" in base:
        return base.split("/", 1)[1].upper()
    return puid or "onbekend"


def payloads_of(record: RecordEntry, files: Iterable[FileEntry]) -> list[FileEntry]:
    """The record's own payload files (bestanden), in path order."""
    return sorted((f for f in files if f.kind is FileKind.PAYLOAD and f.record_id == record.id), key=lambda f: f.path)


def file_name(entry: FileEntry) -> str:
    """The name a person knows a file by: the delivered name (before cleaning), else the stored one."""
    return PurePosixPath(entry.original_path or entry.path).name


def _date(value: str | None, *, end: bool) -> date | None:
    if not value or not value.strip():
        return None
    try:
        return iso_date(value.strip()[:10], end=end)
    except EdepotError:
        return None


def index_document(
    record: RecordEntry,
    io: Informatieobject | None,
    payloads: Sequence[FileEntry],
    toegang: Toegang,
    *,
    full_text: str = "",
    organisatie: str = "Provincie Limburg",
    woo_categorieen: Sequence[str] = (),
) -> IndexDocument:
    """The index document of `record`: small (stored fields plus at most MAX_FULL_TEXT_CHARS of text).
    A record published under the Woo is shown under the first Woo informatiecategorie it is
    published under; other records under their MDTO informatiecategorie, else their classificatie."""
    begin = _date(record.dekking_begin, end=False)
    end = laatste_dag(None, record.dekking_eind) if record.dekking_eind else None
    if begin and end and end < begin:
        end = None
    categorie = woo_categorieen[0] if woo_categorieen else None
    if io is not None:
        if categorie is None and io.informatiecategorie is not None:
            categorie = io.informatiecategorie.label
        elif categorie is None and io.classificatie:
            categorie = io.classificatie[0].label
        if io.archiefvormer:
            organisatie = io.archiefvormer[0].naam
    formaten = tuple(dict.fromkeys(formaat(f.mime, f.puid) for f in payloads))
    return IndexDocument(
        record_id=str(record.id),
        title=record.naam,
        aip_id=str(record.aip_id),
        description=record.omschrijving,
        full_text=full_text,
        kenmerken=tuple(dict.fromkeys(k for k in (record.kenmerk, str(record.id)) if k)),
        informatiecategorie=categorie,
        organisatie=organisatie,
        date_begin=begin,
        date_end=end,
        documentsoort=documentsoort(payloads[0].mime) if payloads else None,
        aggregatieniveau=record.aggregatieniveau or None,
        waardering=record.waardering or None,
        openbaarheid=toegang.openbaarheid,
        published=toegang.public,  # what the public may see: published under the Woo or open as archive
        bestandsformaat=", ".join(formaten) or None,
        omvang=sum(f.size for f in payloads) if payloads else None,
    )


def extractable(entry: FileEntry) -> bool:
    return base_mime(entry.mime) in TEXT_MIMES or PurePosixPath(entry.path).suffix.lower() in TEXT_SUFFIXES


# --- reading from the catalog and storage --------------------------------------------------------


def local_today(now: datetime) -> date:
    """The calendar day in the Netherlands (terms lapse at local midnight)."""
    try:
        from zoneinfo import ZoneInfo

        return now.astimezone(ZoneInfo("Europe/Amsterdam")).date()
    except (ImportError, KeyError, OSError, ValueError):
        return now.date()


def read_sidecar(store: Any, record: RecordEntry) -> Informatieobject:
    """The record's informatieobject from its MDTO sidecar in storage."""
    key = f"aips/{record.aip_id}/{record.sidecar_path}"
    with store.open(key) as handle:
        data = handle.read()
    found = from_xml(data, source=key)
    if not isinstance(found, Informatieobject):
        raise NotFound(f"{key} holds a bestand, not the informatieobject of record {record.id}")
    return found


def full_text_of(store: Any, payloads: Iterable[FileEntry]) -> str:
    """The extracted text of the extractable payloads, joined; empty when none has text."""
    texts: list[str] = []
    budget = MAX_FULL_TEXT_CHARS
    for entry in payloads:
        if budget <= 0 or not extractable(entry) or entry.size > extract.MAX_INPUT_BYTES:
            continue
        with store.open(entry.key) as handle:
            data = handle.read(extract.MAX_INPUT_BYTES + 1)
        result = extract.extract_text(data, mime=entry.mime, filename=PurePosixPath(entry.path).name)
        if result.text:
            texts.append(result.text[:budget])
            budget -= len(texts[-1])
    return "\n\n".join(texts)


def is_current(catalog: Any, aip: Aip) -> bool:
    """True when `aip` is stored and no newer version of the same source object is stored."""
    if aip.status is not AipStatus.OPGESLAGEN:
        return False
    versions = catalog.list_aips(status=AipStatus.OPGESLAGEN, source_key=aip.source_key, limit=1000)
    return all(a.version <= aip.version for a in versions if a.source == aip.source)


# --- the indexer ---------------------------------------------------------------------------------


@dataclass
class SyncReport:
    queued: int = 0  # new or changed records queued for indexing
    removed: int = 0  # records taken out of the index (superseded, destroyed, gone)
    indexed: int = 0
    failed: int = 0
    opened: list[str] = field(default_factory=list)  # records that became public in this run

    def add(self, other: SyncReport) -> SyncReport:
        return SyncReport(
            self.queued + other.queued,
            self.removed + other.removed,
            self.indexed + other.indexed,
            self.failed + other.failed,
            self.opened + other.opened,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "queued": self.queued,
            "removed": self.removed,
            "indexed": self.indexed,
            "failed": self.failed,
            "opened": list(self.opened),
        }


class Indexer:
    """Brings the index in line with the catalog. Safe to run repeatedly; one instance per index writer."""

    def __init__(
        self,
        services: Any,
        index: SearchIndex,
        state: IndexState,
        publications: Publications,
        config: SearchConfig,
    ) -> None:
        self.services = services
        self.index = index
        self.state = state
        self.publications = publications
        self.config = config
        self._lock = threading.Lock()  # one run at a time within this process

    @property
    def catalog(self) -> Any:
        return self.services.catalog

    def _now(self) -> datetime:
        now: datetime = self.services.clock.now()
        return now

    # -- what should be indexed --------------------------------------------------------------------

    def wanted(self) -> dict[UUID, UUID]:
        """record id -> AIP id for every record of the newest stored version of each AIP."""
        newest: dict[tuple[str, str], Aip] = {}
        offset = 0
        while True:
            page = self.catalog.list_aips(status=AipStatus.OPGESLAGEN, limit=PAGE, offset=offset)
            for aip in page:
                key = (aip.source, aip.source_key)
                if key not in newest or newest[key].version < aip.version:
                    newest[key] = aip
            if len(page) < PAGE:
                break
            offset += PAGE
        current = {aip.id for aip in newest.values()}
        found: dict[UUID, UUID] = {}
        offset = 0
        while True:
            records = self.catalog.list_records(limit=PAGE, offset=offset)
            found.update((r.id, r.aip_id) for r in records if r.aip_id in current)
            if len(records) < PAGE:
                break
            offset += PAGE
        return found

    def discover(self) -> SyncReport:
        """Queue new, changed and newly (un)published records; remove records no longer wanted."""
        wanted = self.wanted()
        rows = self.state.all_rows()
        published = self.publications.published_ids()
        queue: list[StateRow] = []
        for record_id, aip_id in wanted.items():
            row = rows.get(record_id)
            if row is None:
                queue.append(StateRow(record_id=record_id, aip_id=aip_id))
            elif row.aip_id != aip_id or row.published != (record_id in published):
                queue.append(replace(row.pending(), aip_id=aip_id))
        gone = [record_id for record_id in rows if record_id not in wanted]
        if gone:
            self.index.delete(str(r) for r in gone)
            self.index.commit()
            self.state.delete(gone)
        self.state.put(queue)
        return SyncReport(queued=len(queue), removed=len(gone))

    def mark_changed(self, record_ids: Iterable[UUID]) -> int:
        """Queue these records for reindexing (e.g. after a Woo publication or withdrawal)."""
        changed = [row.pending() for row in (self.state.get(r) for r in record_ids) if row is not None]
        self.state.put(changed)
        return len(changed)

    # -- indexing ----------------------------------------------------------------------------------

    def run_pending(self, today: date | None = None) -> SyncReport:
        """Index every queued record and every failed one whose retry is due, in batches; access is
        decided as of `today` (default: the clock's day)."""
        report = SyncReport()
        now = self._now()
        published = self.publications.published_ids()
        today = today or local_today(now)
        while True:
            batch = self.state.due(now, self.config.batch_size)
            if not batch:
                break
            report = report.add(self._index_batch(batch, published, today, now))
        if report.failed:
            failures = self.state.failures(20)
            self.services.record_event(
                INDEXERING,
                EventOutcome.MISLUKT,
                None,
                failed=report.failed,
                indexed=report.indexed,
                records=[{"record_id": str(r.record_id), "error": r.last_error} for r in failures],
            )
        return report

    def _index_batch(
        self, batch: Sequence[StateRow], published: frozenset[UUID], today: date, now: datetime
    ) -> SyncReport:
        by_aip: dict[UUID, list[StateRow]] = defaultdict(list)
        for row in batch:
            by_aip[row.aip_id].append(row)
        woo = self.publications.categorieen([row.record_id for row in batch if row.record_id in published])
        docs: list[IndexDocument] = []
        done: list[tuple[StateRow, Toegang]] = []
        failed: list[StateRow] = []
        gone: list[UUID] = []
        for aip_id, rows in by_aip.items():
            try:
                aip = self.catalog.get_aip(aip_id)
            except NotFound:
                gone += [r.record_id for r in rows]
                continue
            except Exception as exc:
                failed += [self._failure(r, exc, now) for r in rows]
                continue
            if aip.status is not AipStatus.OPGESLAGEN:
                gone += [r.record_id for r in rows]
                continue
            records = {r.id: r for r in aip.records}
            for row in rows:
                record = records.get(row.record_id)
                if record is None:
                    gone.append(row.record_id)
                    continue
                try:
                    doc, toegang = self.document(
                        record,
                        aip.files,
                        published=record.id in published,
                        today=today,
                        woo_categorieen=woo.get(record.id, ()),
                    )
                except Exception as exc:
                    failed.append(self._failure(row, exc, now))
                    continue
                docs.append(doc)
                done.append((row, toegang))
        try:
            if gone:
                self.index.delete(str(r) for r in gone)
            self.index.add(docs)
            self.index.commit()
        except Exception as exc:
            log.warning("search index batch of %d records failed: %s", len(docs), exc)
            self.state.put([self._failure(row, exc, now) for row, _ in done] + failed)
            return SyncReport(failed=len(done) + len(failed))
        indexed = [
            replace(
                row,
                status=SyncStatus.GEINDEXEERD,
                openbaarheid=str(toegang.openbaarheid),
                published=row.record_id in published,
                public=toegang.public,
                changes_on=toegang.wijzigt_op,
                attempts=0,
                next_attempt_at=None,
                last_error=None,
                indexed_at=now,
            )
            for row, toegang in done
        ]
        self.state.delete(gone)
        self.state.put(indexed + failed)
        opened = [self._opened(row, toegang) for row, toegang in done if _opens(row, toegang)]
        return SyncReport(indexed=len(indexed), failed=len(failed), removed=len(gone), opened=opened)

    def document(
        self,
        record: RecordEntry,
        files: Iterable[FileEntry],
        *,
        published: bool,
        today: date,
        woo_categorieen: Sequence[str] = (),
    ) -> tuple[IndexDocument, Toegang]:
        """The index document of one record and its access decision, read from catalog and storage."""
        io = read_sidecar(self.services.store, record)
        toegang = beoordeel(
            feiten_van(io, gepubliceerd=published), vandaag=today, openbaar_na_jaren=self.config.openbaar_na_jaren
        )
        payloads = payloads_of(record, files)
        text = full_text_of(self.services.store, payloads)
        organisatie = self.services.settings.organisation
        doc = index_document(
            record, io, payloads, toegang, full_text=text, organisatie=organisatie, woo_categorieen=woo_categorieen
        )
        return doc, toegang

    def _failure(self, row: StateRow, error: BaseException, now: datetime) -> StateRow:
        attempts = row.attempts + 1
        wait = min(self.config.retry_max_seconds, self.config.retry_base_seconds * 2 ** (attempts - 1))
        message = f"{type(error).__name__}: {error}"[:MAX_ERROR_CHARS]
        log.warning("indexing record %s failed (attempt %d): %s", row.record_id, attempts, message)
        return replace(
            row,
            status=SyncStatus.MISLUKT,
            attempts=attempts,
            next_attempt_at=now + timedelta(seconds=wait),
            last_error=message,
        )

    def _opened(self, row: StateRow, toegang: Toegang) -> str:
        self.services.record_event(
            OPENBAARMAKING,
            EventOutcome.GELUKT,
            row.record_id,
            grond=str(toegang.grond) if toegang.grond else None,
            reden=toegang.reden,
            aip_id=str(row.aip_id),
        )
        return str(row.record_id)

    # -- the whole job -----------------------------------------------------------------------------

    def sync(self) -> SyncReport:
        """Discover, then index what is queued or due for a retry."""
        with self._lock:
            return self.discover().add(self.run_pending())

    def open_lapsed(self, today: date | None = None) -> SyncReport:
        """The daily job: rebuild records whose access decision changes on or before `today` (a lapsed
        restriction, a record old enough to open); each that becomes public is recorded as an event."""
        clock_day = local_today(self._now())
        if today is not None and today > clock_day:
            raise InvalidInput(
                f"cannot open records as of {today.isoformat()}: that is after today ({clock_day.isoformat()})",
                hint="restrictions lapse on their day; run the daily job on or after it",
            )
        with self._lock:
            day = today or clock_day
            changing = self.state.changing(day)
            self.state.put(row.pending() for row in changing)
            return SyncReport(queued=len(changing)).add(self.run_pending(day))

    def reindex(self) -> SyncReport:
        """Rebuild the index from the catalog and storage: clear index and state, then sync."""
        with self._lock:
            self.index.clear()
            self.state.clear()
            return self.discover().add(self.run_pending())

    def status(self) -> dict[str, Any]:
        """Counts per status, documents in the index and the failed records (at most 100)."""
        return {
            "engine": self.index.name,
            "documents": self.index.count(),
            "records": self.state.counts(),
            "failures": [r.as_dict() for r in self.state.failures(100)],
        }


def _opens(row: StateRow, toegang: Toegang) -> bool:
    """A record known (indexed before) as not public that is public now."""
    return toegang.public and row.indexed_at is not None and not row.public


class BackgroundIndexer:
    """Runs `Indexer.sync` every `interval` seconds in a daemon thread (and `open_lapsed` once a day)
    until `stop()`. A failing run is logged and the next one tried; it never stops the server. When
    another process holds the index writer (several API replicas), this one skips its rounds quietly."""

    def __init__(self, indexer: Indexer, interval: float | None = None, discover_every: float = 10.0) -> None:
        self.indexer = indexer
        self.interval = interval if interval is not None else indexer.config.interval_seconds
        self.discover_every = discover_every
        self._discovered_at: float | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_head: object = object()
        self._last_day: date | None = None
        self.runs = 0
        self.busy = False  # another process holds the index writer

    def start(self) -> BackgroundIndexer:
        self._thread = threading.Thread(target=self._loop, name="edepot-indexer", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def __enter__(self) -> BackgroundIndexer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def run_once(self) -> SyncReport:
        """One round: discover when the catalog changed (the event log moved; at most every
        `discover_every` seconds), index what is queued or due, open lapsed restrictions once a day."""
        report = SyncReport()
        try:
            self.indexer.index.add(())  # takes the engine's writer lock (tantivy), or says who has it
        except StorageError as busy:
            if not self.busy:  # another process (an API replica, `edepot index sync`) is the writer
                log.info("search index is written by another process; this one only reads: %s", busy)
            self.busy = True
            return report
        self.busy = False
        head = self.indexer.catalog.event_head()
        moment = time.monotonic()
        recent = self._discovered_at is not None and moment - self._discovered_at < self.discover_every
        if head != self._last_head and not recent:
            report = report.add(self.indexer.sync())
            self._last_head = head
            self._discovered_at = moment
        else:
            report = report.add(self.indexer.run_pending())
        day = local_today(self.indexer._now())
        if day != self._last_day:
            report = report.add(self.indexer.open_lapsed(day))
            self._last_day = day
        self.runs += 1
        return report

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:
                log.exception("background indexing round failed; retrying in %.0f s", self.interval)
            self._stop.wait(self.interval)
