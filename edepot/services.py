"""The use-case layer: the only code that combines ports. The CLI, the API and the workers call it.

Ingest follows one order that makes crashes harmless: stage a complete bag, record the intent in
the catalog (status aangemaakt, with the ledger), put every object (tag manifest last), re-read
every object and match it with the ledger, and only then mark the AIP opgeslagen and remove the
staging copy. The next ingest first completes whatever intent a crash left behind.

Several ingests run at once (workers on several machines). Each stages in a folder of its own,
`staging/ingest-<submission id>/` with an owner marker, and holds two kinds of lease
(edepot.leases) for its whole life: its owner lease and the lease of every source_key it packages.
So two ingests of one source_key run one after the other (consecutive versions, never two of one
number); recovery completes a pending AIP only while holding its source_key's lease (then its
owner is provably gone and no one else is completing it), and removes a staging folder only when
its owner lease is free and no pending AIP needs a bag from it. Live work is never touched.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from edepot import AGENT, bagcheck, events, fixity, packaging
from edepot.bagwriter import StagedBag, StagedPayload, copy_payload, finish_bag
from edepot.errors import (
    ConfigurationError,
    Finding,
    FixityError,
    InvalidInput,
    NotFound,
    Severity,
    StorageError,
    SubmissionRejected,
)
from edepot.leases import InMemoryLeases, Leases, owner_lease, source_lease
from edepot.model import (
    SUBMISSION_TRANSITIONS,
    Aip,
    AipStatus,
    EventDraft,
    EventOutcome,
    FileEntry,
    RecordEntry,
    Submission,
    SubmissionStatus,
    advance,
)
from edepot.pooled import INLINE_BELOW, map_batched
from edepot.ports import Catalog, Clock, FormatIdentifier, ObjectStore
from edepot.settings import Settings
from edepot.storage import reads_locally
from edepot.storage.replicas import copies_of
from edepot.submission import SubmissionInput

if TYPE_CHECKING:
    from edepot.audit_ports import AuditCatalog

OWNER_PREFIX = "ingest-"  # staging/ingest-<submission id>/: the folder of one ingest
OWNER_MARKER = "owner.json"
SCRATCH_KINDS = frozenset({"download", "repair"})  # Services.scratch: staging/<kind>-<owner>/
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_SCRATCH = re.compile(rf"(?:{'|'.join(sorted(SCRATCH_KINDS))})-(?P<owner>{_UUID})")
_LEGACY = re.compile(rf"(\.tmp-)?{_UUID}")  # bags staged before per-owner folders


def leases_for(catalog: Catalog) -> Leases:
    """Leases every process sharing `catalog` sees: on its database, or in this process beside an
    in-memory catalog (which no other process can see)."""
    engine = getattr(catalog, "_engine", None)
    if engine is not None:
        from edepot.catalog.leases_sql import SqlLeases

        return SqlLeases(engine)
    return InMemoryLeases()


@dataclass
class AipOutcome:
    aip_id: UUID
    source_key: str
    version: int
    result: str  # nieuw | nieuwe versie | ongewijzigd | proef
    files: int
    bytes: int


@dataclass
class Receipt:
    """What an ingest did: counts, bytes, AIP ids, warnings."""

    submission_id: UUID
    status: SubmissionStatus
    source: str
    location: str
    aips: list[AipOutcome] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    cursor: dict[str, Any] | None = None  # where a worker continues next run (stored with the submission)
    stage_seconds: dict[str, float] = field(default_factory=dict)  # wall time per ingest stage (benchmarks)

    def as_dict(self) -> dict[str, Any]:
        return {
            "submission_id": str(self.submission_id),
            "status": str(self.status),
            "source": self.source,
            "location": self.location,
            "counts": {
                "packages": len(self.aips),
                "new": sum(a.result != "ongewijzigd" for a in self.aips),
                "unchanged": sum(a.result == "ongewijzigd" for a in self.aips),
                "files": sum(a.files for a in self.aips),
                "bytes": sum(a.bytes for a in self.aips),
                "warnings": len(self.warnings),
            },
            "aips": [
                {
                    "aip_id": str(a.aip_id),
                    "source_key": a.source_key,
                    "version": a.version,
                    "result": a.result,
                    "files": a.files,
                    "bytes": a.bytes,
                }
                for a in self.aips
            ],
            "warnings": [w.as_dict() for w in self.warnings],
            **({"cursor": self.cursor} if self.cursor is not None else {}),
        }

    def summary(self) -> str:
        d = self.as_dict()
        c = d["counts"]
        lines = [
            f"Submission {self.submission_id}: {self.status} ({self.source}, {self.location})",
            f"  packages: {c['packages']} ({c['new']} new or new version, {c['unchanged']} unchanged)",
            f"  files: {c['files']}, bytes: {c['bytes']:,}",
        ]
        lines += [f"  AIP {a.aip_id}  v{a.version}  {a.result:<14} {a.source_key}" for a in self.aips]
        if self.warnings:
            lines.append(f"  warnings ({len(self.warnings)}):")
            lines += [f"    - [{w.rule}] {w.file or w.object or ''}: {w.message}" for w in self.warnings]
        return "\n".join(lines)


def rejection_report(submission_id: UUID, findings: Iterable[Finding]) -> dict[str, Any]:
    items = list(findings)
    return {
        "submission_id": str(submission_id),
        "status": str(SubmissionStatus.GEWEIGERD),
        "errors": [f.as_dict() for f in items if f.severity is Severity.FOUT],
        "warnings": [f.as_dict() for f in items if f.severity is Severity.WAARSCHUWING],
    }


@dataclass
class Services:
    catalog: Catalog
    store: ObjectStore
    clock: Clock
    settings: Settings
    formats: FormatIdentifier
    new_id: Callable[[], UUID] = uuid4
    agent: str = AGENT
    audits: AuditCatalog | None = None  # records the verified copies of each stored AIP (edepot.audit)
    leases: Leases | None = None  # default: leases_for(catalog)

    def __post_init__(self) -> None:
        if self.leases is None:
            self.leases = leases_for(self.catalog)

    @property
    def _leases(self) -> Leases:
        assert self.leases is not None  # set by __post_init__
        return self.leases

    # --- events ---------------------------------------------------------------------------

    def record_event(self, type: str, outcome: EventOutcome, object_id: object = None, **detail: Any) -> None:
        self.catalog.append_event(
            EventDraft(
                type=type,
                agent=self.agent,
                outcome=outcome,
                time=self.clock.now(),
                object_id=str(object_id) if object_id is not None else None,
                detail=detail,
            )
        )

    def verify_events(self) -> list[Finding]:
        return events.verify(self.catalog.events(), self.catalog.event_head())

    # --- ingest ---------------------------------------------------------------------------

    @property
    def staging(self) -> Path:
        return self.settings.staging_path

    def ingest_analogue(self, path: Path, *, inventory: Path | None = None, dry_run: bool = False) -> Receipt:
        """Ingest a digitised analogue block (a supplier folder): one AIP per dossier."""
        from ingest.analogue import open_block

        opened = open_block(
            path,
            inventory=inventory,
            identifier=self.formats,
            reject_unlisted_formats=self.settings.reject_unlisted_formats,
            max_path_length=self.settings.max_path_length,
        )
        return self.ingest(opened.submission, dry_run=dry_run, identified=opened.complete)

    def ingest_zaaksysteem(
        self,
        *,
        since: date | None = None,
        zaak_urls: Sequence[str] = (),
        dry_run: bool = False,
        write_back: str | None = None,
        client: Any = None,
    ) -> Receipt:
        """Closed zaken (since the cursor of the last accepted run, or `since`) or the given zaken,
        one AIP per zaak; optionally write the archiefstatus back once every AIP is verified."""
        from ingest.zaaksysteem import mark_archived, next_cursor, read_zaken

        client = client or self._zgw_client()
        previous = self._cursor("zaaksysteem")
        start = since or (date.fromisoformat(previous["einddatum"]) if previous.get("einddatum") else None)
        with self.scratch("download") as workdir:
            submission = read_zaken(
                client,
                workdir=workdir,
                identifier=self.formats,
                since=None if zaak_urls else start,
                zaak_urls=list(zaak_urls) or None,
                reject_unlisted_formats=self.settings.reject_unlisted_formats,
            )
            cursor = None
            if not zaak_urls:
                latest = next_cursor(submission.packages, start)
                cursor = {"einddatum": latest.isoformat()} if latest else dict(previous)
            receipt = self.ingest(submission, dry_run=dry_run, cursor=cursor)
        if write_back and not dry_run:
            for outcome in receipt.aips:
                result = mark_archived(client, outcome.source_key, write_back)
                self.record_event(
                    events.WIJZIGING,
                    EventOutcome.GELUKT if result.gelukt else EventOutcome.WAARSCHUWING,
                    outcome.aip_id,
                    archiefstatus=write_back,
                    zaak=outcome.source_key,
                )
                if result.finding is not None:
                    receipt.warnings.append(result.finding)
        return receipt

    def ingest_teams(
        self, *, export: Path | None = None, since: date | None = None, dry_run: bool = False, source: Any = None
    ) -> Receipt:
        """Teams channel threads and key officials' chats, live from Graph or from an export folder."""
        from ingest.teams import RetentionRule, read_teams
        from ingest.teams_sources import FolderSource

        config = self.settings.teams
        if config is None:
            raise ConfigurationError("Teams is not configured", hint="set EDEPOT_TEAMS_CONFIG (see README)")
        if source is None:
            if export is not None:
                source = FolderSource(export, teams=config.teams or None, users=config.users or None)
            else:
                source = self._graph_source(config)
        previous = self._cursor("teams")
        with self.scratch("download") as workdir:
            read = read_teams(
                source,
                workdir=workdir,
                identifier=self.formats,
                since=since,
                period=config.period,  # type: ignore[arg-type]
                retention={role: RetentionRule.parse(rule) for role, rule in config.retention.items()},
                roles=config.roles,
                cursors=None if export or since else previous,
                reject_unlisted_formats=self.settings.reject_unlisted_formats,
            )
            return self.ingest(read.submission, dry_run=dry_run, cursor=None if export else dict(read.cursors))

    def _cursor(self, source: str) -> dict[str, Any]:
        last = self.catalog.latest_submission(source, SubmissionStatus.GEACCEPTEERD)
        return dict(last.report.get("cursor") or {}) if last else {}

    @contextmanager
    def scratch(self, kind: str) -> Iterator[Path]:
        """A scratch folder `staging/<kind>-<owner>` of its own, removed when the with-block ends.

        Its owner's lease is held meanwhile, so when the process dies half-way the next ingest
        (resume_pending) finds the lease free and removes the folder; a live one is left alone."""
        if kind not in SCRATCH_KINDS:
            raise ValueError(f"scratch kind must be one of {sorted(SCRATCH_KINDS)}, not {kind!r}")
        owner = self.new_id()
        with self._leases.hold([owner_lease(owner)]):
            path = self.staging / f"{kind}-{owner}"
            path.mkdir(parents=True)
            try:
                yield path
            finally:
                shutil.rmtree(path, ignore_errors=True)

    def _zgw_client(self) -> Any:
        from ingest.zgw_client import ZgwClient, ZgwConfig

        config = self.settings.zaaksysteem
        if config is None:
            raise ConfigurationError("the zaaksysteem is not configured", hint="set the EDEPOT_ZGW_* variables")
        return ZgwClient(
            ZgwConfig(
                zaken_url=config.zaken_url,
                documenten_url=config.documenten_url,
                catalogi_url=config.catalogi_url,
                client_id=config.client_id,
                secret=config.secret,
                besluiten_url=config.besluiten_url,
            )
        )

    @staticmethod
    def _graph_source(config: Any) -> Any:
        from ingest.graph_client import GraphClient, GraphConfig
        from ingest.teams_sources import GraphSource

        if not (config.tenant and config.client_id and config.secret):
            raise ConfigurationError(
                "Microsoft Graph is not configured",
                hint="set EDEPOT_GRAPH_TENANT, _CLIENT_ID and _SECRET, or pass --export DIR",
            )
        extra = {k: v for k, v in (("base_url", config.base_url), ("token_url", config.token_url)) if v}
        client = GraphClient(
            GraphConfig(tenant=config.tenant, client_id=config.client_id, secret=config.secret, **extra)
        )
        return GraphSource(client, teams=config.teams, users=config.users)

    def ingest(
        self,
        submission: SubmissionInput,
        *,
        dry_run: bool = False,
        cursor: dict[str, Any] | None = None,
        identified: Callable[[], SubmissionInput] | None = None,
    ) -> Receipt:
        """Accept the submission whole (one AIP per package) or reject it whole. Holds the owner
        lease and the lease of each of its source_keys throughout (see the module doc).

        With `identified`, `submission` is still being checked (format identification runs in the
        background): its files are copied meanwhile, and `identified()` gives the same submission
        complete, with every finding, before any sidecar is written or anything is decided."""
        owner = self.new_id()
        keys = {source_lease(p.source, p.source_key) for p in submission.packages}
        with self._leases.hold([owner_lease(owner), *keys]):
            workdir = self._claim(owner)
            try:
                self.resume_pending(held=keys)
                return self._ingest(owner, workdir, submission, dry_run=dry_run, cursor=cursor, identified=identified)
            finally:
                self._sweep(workdir, owner)

    def _ingest(
        self,
        owner: UUID,
        workdir: Path,
        submission: SubmissionInput,
        *,
        dry_run: bool,
        cursor: dict[str, Any] | None,
        identified: Callable[[], SubmissionInput] | None = None,
    ) -> Receipt:
        record = Submission(
            id=owner, source=submission.source, location=submission.location, received_at=self.clock.now()
        )
        self.catalog.add_submission(record)
        self.record_event(
            events.ONTVANGST,
            EventOutcome.GELUKT,
            record.id,
            location=submission.location,
            packages=len(submission.packages),
            dry_run=dry_run,
        )
        if submission.errors:
            self._reject(record, (identified() if identified else submission).findings)
        payloads: list[tuple[StagedPayload, Aip | None]] = []
        staged: list[tuple[StagedBag, Aip | None]] = []
        pool = ThreadPoolExecutor(max_workers=self.settings.io_threads)  # one for all bags of this submission
        seconds: dict[str, float] = {}
        started = time.perf_counter()
        try:
            for package in submission.packages:  # copying needs no format identification: it may still run
                payloads.append(self._copy_payload(submission, package, workdir, pool))
            seconds["copying"] = time.perf_counter() - started
            if identified is not None:
                submission = identified()  # the same packages, every file now checked and identified
            seconds["identifying"] = time.perf_counter() - started - sum(seconds.values())
            findings = list(submission.findings)
            for index, (payload, latest) in enumerate(payloads, start=1):
                bag = self._finish_bag(submission, payload, index)
                staged.append((bag, latest))
                findings += bag.findings
            seconds["finishing"] = time.perf_counter() - started - sum(seconds.values())
            if any(f.severity is Severity.FOUT for f in findings):
                self._discard(staged)
                self._reject(record, findings)
            receipt = Receipt(
                record.id,
                SubmissionStatus.PROEF if dry_run else SubmissionStatus.GEACCEPTEERD,
                submission.source,
                submission.location,
                warnings=[f for f in findings if f.severity is Severity.WAARSCHUWING],
                cursor=cursor,
                stage_seconds=seconds,
            )
            published: list[tuple[Aip, Path]] = []
            for bag, latest in staged:
                outcome, aip = self._accept(bag, latest, record.id, dry_run=dry_run)
                receipt.aips.append(outcome)
                if aip is not None:
                    published.append((aip, bag.path))
            if published:
                self.store.sync()  # one sync for every bag of the submission, before any is marked stored
            for aip, path in published:
                self._confirm(aip, path, pool=pool)
            seconds["storing"] = time.perf_counter() - started - sum(seconds.values())
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            for payload, _ in payloads:
                payload.discard()  # nothing left once its bag is finished (moved to its final name)
            self._discard(staged)
        record.status = advance(SUBMISSION_TRANSITIONS, record.status, receipt.status)
        record.report = receipt.as_dict()
        self.catalog.update_submission(record)
        self.record_event(
            events.ACCEPTATIE,
            EventOutcome.GELUKT,
            record.id,
            status=str(receipt.status),
            aips=[str(a.aip_id) for a in receipt.aips if a.result != "ongewijzigd"],
        )
        return receipt

    def _copy_payload(
        self, submission: SubmissionInput, package: Any, workdir: Path, pool: Executor
    ) -> tuple[StagedPayload, Aip | None]:
        """Plan the package (identities, bag paths, version) and copy+hash its files into staging."""
        latest = self.catalog.latest_aip(package.source, package.source_key)
        previous_root = None
        if latest is not None:
            previous_root = next((r.id for r in self.catalog.get_aip(latest.id).records if r.parent_id is None), None)
        plan = packaging.plan_package(
            package,
            aip_id=self.new_id(),
            new_id=self.new_id,
            supplier_files=submission.metadata_files,
            version=latest.version + 1 if latest else 1,
            previous_id=latest.id if latest else None,
            previous_root_id=previous_root,
        )
        return copy_payload(plan, workdir, pool=pool), latest

    def _finish_bag(self, submission: SubmissionInput, payload: StagedPayload, index: int) -> StagedBag:
        """Sidecars and tag files for a copied payload, with the identification in `submission`."""
        package = next(p for p in submission.packages if p.source_key == payload.plan.package.source_key)
        return finish_bag(
            payload,
            packaging.with_identified_files(payload.plan, package),
            now=self.clock.now(),
            organisation=self.settings.organisation,
            bag_group=submission.bag_group,
            bag_index=(index, len(submission.packages)) if submission.bag_group else None,
        )

    def _accept(
        self, bag: StagedBag, latest: Aip | None, submission_id: UUID, *, dry_run: bool
    ) -> tuple[AipOutcome, Aip | None]:
        """The outcome for one staged bag; a new AIP (or version) is recorded as aangemaakt and its
        objects are put, not yet synced nor verified (the caller does both, then `_confirm`)."""
        plan = bag.plan
        files = sum(1 for f in bag.files if f.kind.value == "payload")
        if latest is not None and latest.content_hash == bag.content_hash and latest.status is AipStatus.OPGESLAGEN:
            unchanged = AipOutcome(
                latest.id, plan.package.source_key, latest.version, "ongewijzigd", files, bag.payload_bytes
            )
            return unchanged, None
        result = "proef" if dry_run else ("nieuwe versie" if latest else "nieuw")
        outcome = AipOutcome(plan.aip_id, plan.package.source_key, plan.version, result, files, bag.payload_bytes)
        if dry_run:
            return outcome, None
        aip = Aip(
            id=plan.aip_id,
            source=plan.package.source,
            source_key=plan.package.source_key,
            content_hash=bag.content_hash,
            version=plan.version,
            status=AipStatus.AANGEMAAKT,
            created_at=self.clock.now(),
            title=plan.root.informatieobject.naam,
            submission_id=submission_id,
            previous_id=plan.previous_id,
            records=self._records(plan, bag),
            files=list(bag.files),
        )
        self.catalog.begin_aip(aip)
        self._publish(aip, bag.path)
        return outcome, aip

    @staticmethod
    def _records(plan: packaging.PackagePlan, bag: StagedBag) -> list[RecordEntry]:
        from edepot.projection import record_entry

        return [record_entry(r.informatieobject, aip_id=plan.aip_id, sidecar_path=r.sidecar_path) for r in plan.records]

    def _store(self, aip: Aip, bag_path: Path | None, *, pool: Executor | None = None) -> None:
        """Put every object (tag manifest last), sync, verify all by re-reading, then mark opgeslagen."""
        if bag_path is not None:
            self._publish(aip, bag_path)
        self.store.sync()
        self._confirm(aip, bag_path, pool=pool)

    def _publish(self, aip: Aip, bag_path: Path) -> None:
        """Put the staged bag's objects: one directory rename where the store can, else a put per
        object with the tag manifest last. Not yet durable: the caller syncs the store."""
        if not self.store.publish_directory(f"aips/{aip.id}", bag_path):
            ordered = sorted(aip.files, key=lambda f: (f.path == packaging.TAGMANIFEST, f.path))
            with ThreadPoolExecutor(max_workers=self.settings.io_threads) as putters:
                list(putters.map(lambda f: self.store.put(f.key, bag_path / f.path, f.sha256), ordered[:-1]))
            last = ordered[-1]
            self.store.put(last.key, bag_path / last.path, last.sha256)

    def _confirm(self, aip: Aip, bag_path: Path | None, *, pool: Executor | None = None) -> None:
        """After the store is synced: re-read and match every object with the ledger, record the
        verified copies, mark the AIP opgeslagen and drop its staging copy."""
        problems = self.verify_objects(aip.files, pool=pool)
        if problems:
            self.record_event(
                events.FIXITEIT,
                EventOutcome.MISLUKT,
                aip.id,
                store=self.store.name,
                problems=[p.as_dict() for p in problems],
            )
            raise FixityError(
                f"AIP {aip.id}: {len(problems)} object(s) did not read back as written; it stays unstored",
                hint="check the storage, then run the ingest again to complete it",
                aip_id=str(aip.id),
                findings=problems,
            )
        copies = [copy.name for copy in copies_of(self.store)]
        self.record_event(
            events.FIXITEIT, EventOutcome.GELUKT, aip.id, store=self.store.name, copies=copies, objects=len(aip.files)
        )
        if self.audits is not None:
            size = sum(f.size for f in aip.files)
            self.audits.record_copies(aip.id, copies, self.clock.now(), objects=len(aip.files), bytes=size)
        self.catalog.set_aip_status(aip.id, AipStatus.OPGESLAGEN, self.clock.now())
        self.record_event(
            events.OPNAME,
            EventOutcome.GELUKT,
            aip.id,
            source_key=aip.source_key,
            version=aip.version,
            files=len(aip.files),
        )
        if bag_path is not None:
            shutil.rmtree(bag_path, ignore_errors=True)

    def verify_objects(self, files: Iterable[FileEntry], *, pool: Executor | None = None) -> list[Finding]:
        """Re-read every object from EVERY copy of the store (edepot.storage.replicas) and match
        sha256 and size with the ledger (in `pool` when given, else in a pool made for this call;
        small objects of a local copy in this thread meanwhile, see edepot.pooled)."""

        def check(copy: ObjectStore, entry: FileEntry) -> Finding | None:
            try:
                with copy.open(entry.key) as handle:
                    digests, size = fixity.hash_stream(handle)
            except NotFound:
                return Finding(
                    "storage.missing",
                    f"object {entry.key} is missing from {copy.name}",
                    "repair it from another copy",
                    object=entry.key,
                )
            if digests["sha256"] != entry.sha256 or size != entry.size:
                return Finding(
                    "storage.fixity",
                    f"object {entry.key} in {copy.name} has sha256 "
                    f"{digests['sha256']} ({size} bytes); the ledger says {entry.sha256} ({entry.size} bytes)",
                    "repair it from another copy",
                    object=entry.key,
                )
            return None

        entries = list(files)
        work = [(copy, entry) for copy in copies_of(self.store) for entry in entries]

        def small_and_local(job: tuple[ObjectStore, FileEntry]) -> bool:
            return job[1].size < INLINE_BELOW and reads_locally(job[0])

        def verify(on: Executor) -> list[Finding]:
            found = map_batched(on, lambda job: check(*job), work, inline=small_and_local)
            return [p for p in found if p is not None]

        if pool is not None:
            return verify(pool)
        with ThreadPoolExecutor(max_workers=self.settings.io_threads) as own:
            return verify(own)

    def verify_aip(self, aip_id: UUID) -> list[Finding]:
        """Everything wrong with a stored AIP: each object re-read against the ledger, and the stored
        bag validated as a whole (BagIt, MDTO, ledger), which also catches extra objects."""
        aip = self.catalog.get_aip(aip_id)
        problems = self.verify_objects(aip.files)
        problems += bagcheck.validate_stored_bag(self.store, f"aips/{aip.id}", {f.path: f.sha256 for f in aip.files})
        return problems

    # --- staging and recovery -------------------------------------------------------------

    def _claim(self, owner: UUID) -> Path:
        """This ingest's staging folder, with a marker saying whose it is (the lease says whether
        that owner still lives; the marker is for the operator)."""
        workdir = self.staging / f"{OWNER_PREFIX}{owner}"
        workdir.mkdir(parents=True)
        marker = {"submission_id": str(owner), "host": socket.gethostname(), "pid": os.getpid()}
        (workdir / OWNER_MARKER).write_text(json.dumps({**marker, "since": self.clock.now().isoformat()}))
        return workdir

    def _bag_of(self, aip: Aip) -> Path:
        if aip.submission_id is not None:
            bag = self.staging / f"{OWNER_PREFIX}{aip.submission_id}" / str(aip.id)
            if bag.is_dir():
                return bag
        return self.staging / str(aip.id)  # staged before per-owner folders

    def resume_pending(self, *, held: Collection[str] = ()) -> list[UUID]:
        """Complete every AIP an ended ingest left in status aangemaakt, then remove the staging
        folders of ended ingests. An AIP is completed only under its source_key's lease: those in
        `held` (the caller holds them) and those whose lease is free now; an AIP whose key is
        leased by a live ingest is left to that ingest (or, if it dies, to the next)."""
        completed = []
        for summary in self.catalog.list_aips(status=AipStatus.AANGEMAAKT, limit=1_000_000):
            name = source_lease(summary.source, summary.source_key)
            if name in held:
                completed += self._complete(summary.id)
                continue
            with self._leases.attempt(name) as taken:
                if taken:
                    completed += self._complete(summary.id)
        if self.staging.exists():
            for entry in self.staging.iterdir():
                if entry.name.startswith(OWNER_PREFIX):
                    owner = entry.name.removeprefix(OWNER_PREFIX)
                    with self._leases.attempt(owner_lease(owner)) as ended:
                        if ended:
                            self._sweep(entry, owner)
                elif _LEGACY.fullmatch(entry.name) and not self._pending(entry.name.removeprefix(".tmp-")):
                    shutil.rmtree(entry, ignore_errors=True)
                elif scratch := _SCRATCH.fullmatch(entry.name):
                    with self._leases.attempt(owner_lease(scratch["owner"])) as ended:
                        if ended:
                            shutil.rmtree(entry, ignore_errors=True)
        return completed

    def _complete(self, aip_id: UUID) -> list[UUID]:
        """Store a pending AIP from its staged bag (or check that a crash after the last put left
        it whole). The caller holds its source_key's lease; its status is checked again under it."""
        aip = self.catalog.get_aip(aip_id)
        if aip.status is not AipStatus.AANGEMAAKT:
            return []  # completed by whoever held the lease before us
        bag = self._bag_of(aip)
        if not bag.is_dir() and self.verify_objects(aip.files):
            raise StorageError(
                f"AIP {aip.id} was interrupted and its staging copy is gone; it cannot be completed",
                hint="ingest the submission again; this unstored AIP is left for inspection",
                aip_id=str(aip.id),
            )
        self._store(aip, bag if bag.is_dir() else None)
        return [aip.id]

    def _sweep(self, folder: Path, owner: object) -> None:
        """Remove an ended (or ending) owner's staging folder unless a pending AIP still needs a bag in it."""
        pending = self.catalog.list_aips(status=AipStatus.AANGEMAAKT, limit=1_000_000)
        if not any(str(a.submission_id) == str(owner) for a in pending):
            shutil.rmtree(folder, ignore_errors=True)

    def _discard(self, staged: Iterable[tuple[StagedBag, Aip | None]]) -> None:
        for bag, _ in staged:
            if bag.path.exists() and not self._pending(bag.plan.aip_id):
                shutil.rmtree(bag.path, ignore_errors=True)

    def _pending(self, aip_id: UUID | str) -> bool:
        try:
            return self.catalog.get_aip(UUID(str(aip_id))).status is AipStatus.AANGEMAAKT
        except NotFound:
            return False

    def _reject(self, record: Submission, findings: Iterable[Finding]) -> None:
        items = list(findings)
        record.status = advance(SUBMISSION_TRANSITIONS, record.status, SubmissionStatus.GEWEIGERD)
        record.report = rejection_report(record.id, items)
        self.catalog.update_submission(record)
        errors = [f for f in items if f.severity is Severity.FOUT]
        self.record_event(events.VALIDATIE, EventOutcome.MISLUKT, record.id, errors=len(errors))
        raise SubmissionRejected(
            f"submission {record.location} rejected: {len(errors)} problem(s); nothing was stored",
            items,
            submission_id=str(record.id),
        )

    # --- reading --------------------------------------------------------------------------

    def get_aip(self, aip_id: UUID) -> Aip:
        """A stored AIP; one still being stored is not visible."""
        aip = self.catalog.get_aip(aip_id)
        if aip.status is AipStatus.AANGEMAAKT:
            raise NotFound(f"AIP {aip_id} is not (yet) stored", hint="wait for the ingest to finish")
        return aip

    def list_aips(
        self, *, status: AipStatus | None = AipStatus.OPGESLAGEN, limit: int = 100, offset: int = 0
    ) -> list[Aip]:
        return self.catalog.list_aips(status=status, limit=limit, offset=offset)

    def get_record(self, record_id: UUID) -> RecordEntry:
        record = self.catalog.get_record(record_id)
        if self.catalog.get_aip(record.aip_id).status is not AipStatus.OPGESLAGEN:
            raise NotFound(f"record {record_id} is not (yet) stored")
        return record

    def list_records(self, *, aip_id: UUID | None = None, limit: int = 100, offset: int = 0) -> list[RecordEntry]:
        return self.catalog.list_records(aip_id=aip_id, limit=limit, offset=offset)

    # --- export and rebuild -----------------------------------------------------------------

    def export(self, aip_id: UUID, destination: Path) -> Path:
        """Write the AIP out as a bag into `destination` (new or empty), verifying every byte."""
        aip = self.catalog.get_aip(aip_id)
        if aip.status is not AipStatus.OPGESLAGEN:
            raise InvalidInput(f"AIP {aip_id} has status {aip.status}; only stored AIPs can be exported")
        if destination.exists() and any(destination.iterdir()):
            raise InvalidInput(f"{destination} is not empty", hint="export into a new or empty folder")
        for entry in aip.files:
            target = destination / entry.path
            target.parent.mkdir(parents=True, exist_ok=True)
            with self.store.open(entry.key) as source, open(target, "xb") as out:
                digests, size = fixity.hash_stream(source, out=out)
            if digests["sha256"] != entry.sha256 or size != entry.size:
                raise FixityError(
                    f"object {entry.key} does not match the ledger; export stopped",
                    hint="run a fixity audit and repair from another copy",
                    key=entry.key,
                )
        problems = bagcheck.validate_bag(destination, ledger={f.path: f.sha256 for f in aip.files})
        if problems:
            raise FixityError(f"the exported bag in {destination} does not validate", findings=problems)
        self.record_event("Export", EventOutcome.GELUKT, aip_id, destination=str(destination))
        return destination

    def rebuild_catalog(self) -> dict[str, Any]:
        """Rebuild AIPs, records and ledger from the bags in storage alone."""
        from edepot.rebuild import read_stored_aip

        self.catalog.clear_holdings()
        prefixes = sorted({"/".join(key.split("/")[:2]) for key in self.store.keys("aips/")})
        rebuilt, skipped = [], []
        for prefix in prefixes:
            aip, problems = read_stored_aip(self.store, prefix, now=self.clock.now())
            if aip is None or problems:
                skipped.append({"prefix": prefix, "problems": [p.as_dict() for p in problems]})
                continue
            self.catalog.begin_aip(aip)
            self.catalog.set_aip_status(aip.id, AipStatus.OPGESLAGEN, aip.stored_at or self.clock.now())
            rebuilt.append(str(aip.id))
        self.record_event(
            events.CATALOGUS_HERBOUW,
            EventOutcome.GELUKT if not skipped else EventOutcome.WAARSCHUWING,
            None,
            rebuilt=len(rebuilt),
            skipped=skipped,
        )
        return {"rebuilt": rebuilt, "skipped": skipped}
