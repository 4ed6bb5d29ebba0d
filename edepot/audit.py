"""Fixity audits: every object of every storage copy re-read and matched with the catalog's fixity
ledger (never with what a store says about itself), damage repaired from a verified copy, and what
was found kept for the provinciearchivaris (`edepot.audit_report` renders it).

`Auditor(services, catalog)` runs on the existing `Services` (holdings catalog, store, clock,
events) and an `AuditCatalog` (copies, runs, checks).

`run(scope)` — `alle` (every copy of every kept AIP), `verlopen` (copies whose last successful check
is older than the cadence, default 90 days, or that were never checked) or one AIP:

1. AIPs are taken in pages by id; every object of every due copy is streamed from its store and
   hashed (SHA-256; no temporary files), `workers` objects at a time (bounded: at most
   `8 x workers` reads are queued).
2. Per AIP, when all its reads are done: a copy whose objects all match is goed. An object that is
   missing or does not match is damage: the copy's problems go into a fixity-check event (failure),
   and each damaged object is repaired from another copy whose object was verified in this run
   (or is verified now): its bytes are streamed into a repair file while hashed, must match the
   ledger, are written by `edepot.storage.repair.repair_object` (which proves the damage again
   first) and are read back from the repaired copy. Every repair is a `recovery` event.
3. When an object has no good copy left (every copy proven damaged or missing), the AIP becomes
   beschadigd (an event and an alert); it stays in every later audit and report, and returns to
   opgeslagen when a later audit finds every copy good again. A store that cannot be read (an
   error, not wrong bytes) is `onleesbaar`: reported and alerted, never repaired or condemned.
4. Each AIP copy's check is committed as it finishes (`AuditCatalog.record_check`), so a killed run
   loses at most the AIPs in flight and `--due` continues where it stopped.
5. At the end: the run's totals, an alert when anything was damaged, unreadable or beschadigd,
   and an alert when any copy is overdue (`check_overdue`).

The age of the oldest successful check per store (`status`) is what the CLI, the API and the
Prometheus metrics (`metrics_text`) show.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import deque
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from edepot import __version__, events, fixity
from edepot.alerts import Alert
from edepot.audit_ports import AuditCatalog, Controle, Ouderdom, Run, RunStatus, Uitkomst
from edepot.errors import EdepotError, InvalidInput, NotFound
from edepot.model import Aip, AipStatus, EventOutcome, FileEntry
from edepot.ports import ObjectStore
from edepot.storage.repair import repair_object
from edepot.storage.replicas import copies_of

HERSTEL = "recovery"  # PREMIS event type: a damaged object restored from another copy
BESCHADIGING = "beschadigd"  # detail `actie` of the status-change events
KEPT = (AipStatus.OPGESLAGEN, AipStatus.BESCHADIGD)
PAGE = 200


class Scope:
    ALLE = "alle"
    VERLOPEN = "verlopen"


@dataclass(frozen=True)
class AuditSettings:
    """The knobs of fixity audits (environment `EDEPOT_AUDIT_*`)."""

    cadence: timedelta = timedelta(days=90)  # every object of every copy at least this often
    workers: int = 4  # objects read and hashed at the same time

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AuditSettings:
        env = os.environ if environ is None else environ
        kwargs: dict[str, Any] = {}
        for name, key, unit in (
            ("EDEPOT_AUDIT_CADENCE_DAGEN", "cadence", "days"),
            ("EDEPOT_AUDIT_WORKERS", "workers", "count"),
        ):
            raw = env.get(name, "").strip()
            if not raw:
                continue
            try:
                value = int(raw)
            except ValueError:
                raise InvalidInput(f"{name}={raw!r} is not a whole number", setting=name) from None
            if value < 1:
                raise InvalidInput(f"{name} must be at least 1", setting=name)
            kwargs[key] = timedelta(days=value) if unit == "days" else value
        return cls(**kwargs)


@dataclass(frozen=True)
class ObjectCheck:
    """One object of one copy, read and hashed."""

    store: str
    entry: FileEntry
    verdict: str  # ok | afwijkend | ontbreekt | onleesbaar
    detail: str = ""

    @property
    def damaged(self) -> bool:
        return self.verdict in {"afwijkend", "ontbreekt"}


@dataclass
class RunResult:
    """What one audit run did."""

    run: Run
    aips: int = 0
    checks: int = 0  # AIP copies checked
    objects: int = 0
    bytes: int = 0
    per_store: dict[str, dict[str, int]] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)
    problems: list[dict[str, Any]] = field(default_factory=list)  # one per damaged or unreadable object
    repairs: list[dict[str, Any]] = field(default_factory=list)
    beschadigd: list[str] = field(default_factory=list)  # AIP ids that have no good copy left
    hersteld_aips: list[str] = field(default_factory=list)  # AIPs back from beschadigd to opgeslagen
    overdue: list[dict[str, Any]] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """Nothing is wrong any more: every problem found was repaired."""
        return not self.beschadigd and all(p.get("repaired") for p in self.problems)

    def summary_dict(self) -> dict[str, Any]:
        return {
            "aips": self.aips,
            "checks": self.checks,
            "objects": self.objects,
            "bytes": self.bytes,
            "per_store": self.per_store,
            "outcomes": self.outcomes,
            "problems": len(self.problems),
            "repairs": len(self.repairs),
            "beschadigd": self.beschadigd,
            "hersteld_aips": self.hersteld_aips,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.run.as_dict(),
            **self.summary_dict(),
            "problems": self.problems,
            "repairs": self.repairs,
            "overdue": self.overdue,
            "clean": self.clean,
        }

    def text(self) -> str:
        lines = [
            f"audit run {self.run.id} ({self.run.scope}): {self.run.status}",
            f"  {self.aips} AIPs, {self.checks} copies, {self.objects} objects, {self.bytes:,} bytes",
        ]
        for store, counts in sorted(self.per_store.items()):
            lines.append(
                f"  {store}: {counts['checks']} copies, {counts['objects']} objects, {counts['bytes']:,} bytes"
            )
        lines.append("  outcomes: " + (", ".join(f"{k} {v}" for k, v in sorted(self.outcomes.items())) or "none"))
        for p in self.problems:
            state = "repaired" if p.get("repaired") else "NOT repaired"
            lines.append(f"  PROBLEM {p['store']} {p['key']}: {p['verdict']} ({state}) {p.get('detail', '')}".rstrip())
        for aip_id in self.beschadigd:
            lines.append(f"  AIP {aip_id} is BESCHADIGD: no good copy left of at least one object")
        for o in self.overdue:
            lines.append(f"  OVERDUE {o['store']}: {o['overdue']} copies not verified within {o['cadence_days']} days")
        return "\n".join(lines)


class Auditor:
    def __init__(
        self,
        services: Any,
        catalog: AuditCatalog,
        *,
        settings: AuditSettings | None = None,
        alert: Alert | None = None,
    ) -> None:
        self.services = services
        self.catalog = catalog
        self.settings = settings or AuditSettings()
        self._alert = alert

    # --- wiring -------------------------------------------------------------------------------

    @property
    def copies(self) -> tuple[ObjectStore, ...]:
        return copies_of(self.services.store)

    @property
    def store_names(self) -> list[str]:
        return [c.name for c in self.copies]

    def _copy(self, name: str) -> ObjectStore:
        for copy in self.copies:
            if copy.name == name:
                return copy
        raise NotFound(f"no storage copy {name!r}", store=name)

    @property
    def alert(self) -> Alert:
        if self._alert is None:
            from edepot.alerts import alert_from_settings

            self._alert = alert_from_settings(self.services)
        return self._alert

    def _now(self) -> datetime:
        now: datetime = self.services.clock.now()
        return now

    # --- running ------------------------------------------------------------------------------

    def run(self, scope: str = Scope.VERLOPEN, *, aip_id: UUID | None = None, workers: int | None = None) -> RunResult:
        """Audit the copies in `scope` (alle | verlopen) or of one AIP; see the module doc."""
        if aip_id is None and scope not in (Scope.ALLE, Scope.VERLOPEN):
            raise InvalidInput(f"unknown audit scope {scope!r}", hint="use alle, verlopen or one AIP id")
        if aip_id is not None:
            aip = self.services.catalog.get_aip(aip_id)
            if aip.status not in KEPT:
                raise InvalidInput(
                    f"AIP {aip_id} has status {aip.status}; only stored (or damaged) AIPs are audited",
                    aip_id=str(aip_id),
                )
            scope = f"aip {aip_id}"
        run = Run(self.services.new_id(), scope, self._now(), __version__, self.services.agent)
        self.catalog.start_run(run)
        result = RunResult(run)
        self.services.record_event(
            events.FIXITEIT, EventOutcome.GELUKT, None, actie="audit gestart", run_id=str(run.id), scope=scope
        )
        status = RunStatus.AFGEBROKEN
        try:
            self._run(result, self._targets(scope, aip_id), workers or self.settings.workers)
            status = RunStatus.KLAAR
        finally:
            result.run = self.catalog.finish_run(run.id, self._now(), status, result.summary_dict())
            self.services.record_event(
                events.FIXITEIT,
                EventOutcome.GELUKT if status is RunStatus.KLAAR and result.clean else EventOutcome.MISLUKT,
                None,
                actie="audit beëindigd",
                run_id=str(run.id),
                status=str(status),
                objects=result.objects,
                problems=len(result.problems),
                repairs=len(result.repairs),
                beschadigd=result.beschadigd,
            )
        self._alert_problems(result)
        result.overdue = self.check_overdue()
        return result

    def _targets(self, scope: str, aip_id: UUID | None) -> Iterator[tuple[UUID, tuple[str, ...]]]:
        stores = self.store_names
        if aip_id is not None:
            yield aip_id, tuple(stores)
            return
        due_before = self._now() - self.settings.cadence if scope == Scope.VERLOPEN else None
        after: UUID | None = None
        while True:
            page = self.catalog.aips_to_check(stores, due_before=due_before, after=after, limit=PAGE)
            if not page:
                return
            yield from page
            after = page[-1][0]

    def _run(self, result: RunResult, targets: Iterator[tuple[UUID, tuple[str, ...]]], workers: int) -> None:
        pending: deque[tuple[Aip, tuple[str, ...], list[Future[ObjectCheck]]]] = deque()
        in_flight = 0
        executor: Any = _Inline() if workers <= 1 else ThreadPoolExecutor(workers, thread_name_prefix="audit")
        with executor as pool:
            try:
                for aip_id, stores in targets:
                    aip = self.services.catalog.get_aip(aip_id)
                    futures = [
                        pool.submit(check_object, self._copy(store), entry) for store in stores for entry in aip.files
                    ]
                    pending.append((aip, stores, futures))
                    in_flight += len(futures)
                    while pending and in_flight > 8 * workers:
                        done = pending.popleft()
                        in_flight -= len(done[2])
                        self._finish_aip(result, *done)
                while pending:
                    self._finish_aip(result, *pending.popleft())
            except BaseException:
                for _, _, futures in pending:
                    for f in futures:
                        f.cancel()
                raise

    def _finish_aip(
        self, result: RunResult, aip: Aip, stores: tuple[str, ...], futures: list[Future[ObjectCheck]]
    ) -> None:
        checks = [f.result() for f in futures]
        by_key: dict[str, dict[str, ObjectCheck]] = {}
        for c in checks:
            by_key.setdefault(c.entry.key, {})[c.store] = c
        problems: dict[str, list[dict[str, Any]]] = {s: [] for s in stores}
        lost: list[str] = []
        for key, per_store in by_key.items():
            if all(c.verdict == "ok" for c in per_store.values()):
                continue
            entry = next(iter(per_store.values())).entry
            for store, c in per_store.items():
                if c.verdict == "ok":
                    continue
                problem: dict[str, Any] = {
                    "aip_id": str(aip.id),
                    "store": store,
                    "key": key,
                    "verdict": c.verdict,
                    "detail": c.detail,
                }
                problems[store].append(problem)
                result.problems.append(problem)
            if not any(c.damaged for c in per_store.values()):
                continue  # only unreadable copies: no verdict about the bytes, nothing to repair
            sources = self._good_sources(entry, per_store)
            for store, c in per_store.items():
                if not c.damaged:
                    continue
                own = next(p for p in problems[store] if p["key"] == key)
                repair = self._repair(result, aip, self._copy(store), entry, sources)
                own["repaired"] = repair is not None
                if repair is not None:
                    own["repaired_from"] = repair["from"]
            if not sources and self._all_copies_damaged(entry, per_store):
                lost.append(key)
        at = self._now()
        outcomes: dict[str, Uitkomst] = {}
        for store in stores:
            found = problems[store]
            if not found:
                outcome = Uitkomst.GOED
            elif any(p["verdict"] != "onleesbaar" and not p.get("repaired") for p in found):
                outcome = Uitkomst.FOUT
            elif any(p["verdict"] == "onleesbaar" for p in found):
                outcome = Uitkomst.ONLEESBAAR
            else:
                outcome = Uitkomst.HERSTELD
            outcomes[store] = outcome
            size = sum(e.size for e in aip.files)
            self.catalog.record_check(
                Controle(result.run.id, aip.id, store, at, len(aip.files), size, outcome, tuple(found))
            )
            totals = result.per_store.setdefault(store, {"checks": 0, "objects": 0, "bytes": 0})
            totals["checks"] += 1
            totals["objects"] += len(aip.files)
            totals["bytes"] += size
            result.checks += 1
            result.objects += len(aip.files)
            result.bytes += size
            result.outcomes[str(outcome)] = result.outcomes.get(str(outcome), 0) + 1
        result.aips += 1
        failed = any(problems[s] for s in stores)
        self.services.record_event(
            events.FIXITEIT,
            EventOutcome.MISLUKT if failed else EventOutcome.GELUKT,
            aip.id,
            run_id=str(result.run.id),
            copies={s: str(o) for s, o in outcomes.items()},
            objects=len(aip.files),
            **({"problems": [p for s in stores for p in problems[s]]} if failed else {}),
        )
        self._update_status(result, aip, stores, outcomes, lost)

    def _good_sources(self, entry: FileEntry, per_store: dict[str, ObjectCheck]) -> list[ObjectStore]:
        """Copies whose object was verified in this run, then the other copies if they verify now."""
        good = [self._copy(s) for s, c in per_store.items() if c.verdict == "ok"]
        for copy in self.copies:
            if copy.name not in per_store and check_object(copy, entry).verdict == "ok":
                good.append(copy)
        return good

    def _all_copies_damaged(self, entry: FileEntry, per_store: dict[str, ObjectCheck]) -> bool:
        """Every copy proven damaged or missing (copies not checked in this run are checked now)."""
        for copy in self.copies:
            c = per_store.get(copy.name) or check_object(copy, entry)
            if not c.damaged:
                return False
        return True

    def _repair(
        self, result: RunResult, aip: Aip, target: ObjectStore, entry: FileEntry, sources: list[ObjectStore]
    ) -> dict[str, Any] | None:
        """Repair `entry` in `target` from the first source that still reads back right; the repair
        (or None when no source could do it), each attempt an event."""
        with self.services.scratch("repair") as workdir:
            for source in sources:
                if source.name == target.name:
                    continue
                tmp = workdir / "object"
                try:
                    with source.open(entry.key) as handle, open(tmp, "wb") as out:
                        digests, size = fixity.hash_stream(handle, out=out)
                    if digests["sha256"] != entry.sha256 or size != entry.size:
                        continue  # this source changed since it was verified: try the next
                    how = repair_object(target, entry.key, tmp, entry.sha256, entry.size)
                    after = check_object(target, entry)
                    if after.verdict != "ok":
                        raise EdepotError(f"the repaired object reads back {after.verdict}: {after.detail}")
                except EdepotError as exc:
                    self.services.record_event(
                        HERSTEL,
                        EventOutcome.MISLUKT,
                        aip.id,
                        run_id=str(result.run.id),
                        store=target.name,
                        key=entry.key,
                        source=source.name,
                        error=str(exc),
                    )
                    continue
                repair = {
                    "aip_id": str(aip.id),
                    "store": target.name,
                    "key": entry.key,
                    "from": source.name,
                    "how": how,
                    "sha256": entry.sha256,
                }
                result.repairs.append(repair)
                self.services.record_event(
                    HERSTEL,
                    EventOutcome.GELUKT,
                    aip.id,
                    run_id=str(result.run.id),
                    store=target.name,
                    key=entry.key,
                    source=source.name,
                    how=how,
                    sha256=entry.sha256,
                    reverified=True,
                )
                return repair
            return None

    def _update_status(
        self, result: RunResult, aip: Aip, stores: tuple[str, ...], outcomes: dict[str, Uitkomst], lost: list[str]
    ) -> None:
        now = self._now()
        if lost:
            result.beschadigd.append(str(aip.id))
            if aip.status is AipStatus.OPGESLAGEN:
                self.services.catalog.set_aip_status(aip.id, AipStatus.BESCHADIGD, now)
                self.services.record_event(
                    events.FIXITEIT,
                    EventOutcome.MISLUKT,
                    aip.id,
                    actie=BESCHADIGING,
                    run_id=str(result.run.id),
                    status=str(AipStatus.BESCHADIGD),
                    objects=lost,
                )
            return
        every_store = set(stores) == set(self.store_names)
        if (
            aip.status is AipStatus.BESCHADIGD
            and every_store
            and all(o in (Uitkomst.GOED, Uitkomst.HERSTELD) for o in outcomes.values())
        ):
            self.services.catalog.set_aip_status(aip.id, AipStatus.OPGESLAGEN, now)
            result.hersteld_aips.append(str(aip.id))
            self.services.record_event(
                events.FIXITEIT,
                EventOutcome.GELUKT,
                aip.id,
                actie="weer intact",
                run_id=str(result.run.id),
                status=str(AipStatus.OPGESLAGEN),
            )

    # --- alerts, status, metrics --------------------------------------------------------------

    def _alert_problems(self, result: RunResult) -> None:
        if not result.problems and not result.beschadigd:
            return
        damaged = sum(1 for p in result.problems if p["verdict"] != "onleesbaar")
        unreadable = len(result.problems) - damaged
        subject = (
            f"fixity audit {result.run.id}: {damaged} damaged or missing object(s), {len(result.repairs)} repaired, "
            f"{unreadable} unreadable, {len(result.beschadigd)} AIP(s) beschadigd"
        )
        self.alert.send(
            subject,
            {
                "run_id": str(result.run.id),
                "problems": result.problems[:100],
                "repairs": result.repairs[:100],
                "beschadigd": result.beschadigd,
            },
        )

    def status(self) -> dict[str, Any]:
        """Per store: copies, the oldest successful check and its age in days, overdue copies."""
        now = self._now()
        ages = self.catalog.ages(self.store_names, now - self.settings.cadence)
        stores = [_age_dict(a, now, self.settings.cadence) for a in ages]
        oldest = [a.oldest_verified for a in ages if a.oldest_verified is not None]
        damaged = self.services.catalog.list_aips(status=AipStatus.BESCHADIGD, limit=1000)
        return {
            "now": now.isoformat(),
            "cadence_days": self.settings.cadence.days,
            "stores": stores,
            "oldest_verified": min(oldest).isoformat() if oldest else None,
            "oldest_age_days": round((now - min(oldest)).total_seconds() / 86400, 2) if oldest else None,
            "overdue": sum(a.overdue for a in ages),
            "beschadigd": [str(a.id) for a in damaged],
        }

    def check_overdue(self) -> list[dict[str, Any]]:
        """Alert when any copy's last successful check is older than the cadence (or missing)."""
        now = self._now()
        ages = self.catalog.ages(self.store_names, now - self.settings.cadence)
        overdue = [_age_dict(a, now, self.settings.cadence) for a in ages if a.overdue]
        if overdue:
            total = sum(o["overdue"] for o in overdue)
            self.alert.send(
                f"fixity audit overdue: {total} storage copies were not verified within "
                f"{self.settings.cadence.days} days",
                {"overdue": overdue},
            )
        return overdue

    def copies_of_aip(self, aip_id: UUID) -> dict[str, Any]:
        """How many copies an AIP has, where, and when each was last verified."""
        aip = self.services.get_aip(aip_id)
        from edepot.storage.config import describe

        where = {c.name: describe(c) for c in self.copies}
        rows = self.catalog.copies(aip_id)
        recorded = {r.store for r in rows}
        return {
            "aip_id": str(aip_id),
            "status": str(aip.status),
            "count": sum(1 for r in rows if r.verified_at is not None),
            "copies": [{**r.as_dict(), "location": where.get(r.store, "(niet meer geconfigureerd)")} for r in rows],
            "missing": [name for name in self.store_names if name not in recorded],
        }

    def metrics_text(self) -> str:
        """The audit state in the Prometheus text exposition format (version 0.0.4)."""
        status = self.status()
        now = self._now()
        lines = [
            "# HELP edepot_audit_oldest_check_age_seconds Age of the oldest successful fixity check of any copy.",
            "# TYPE edepot_audit_oldest_check_age_seconds gauge",
        ]
        for s in status["stores"]:
            age = s["oldest_age_days"] * 86400 if s["oldest_age_days"] is not None else float("nan")
            lines.append(f'edepot_audit_oldest_check_age_seconds{{store="{_label(s["store"])}"}} {age:.0f}')
        lines += [
            "# HELP edepot_audit_copies_overdue Copies not verified within the cadence (or never).",
            "# TYPE edepot_audit_copies_overdue gauge",
            *(f'edepot_audit_copies_overdue{{store="{_label(s["store"])}"}} {s["overdue"]}' for s in status["stores"]),
            "# HELP edepot_audit_copies Copies of kept AIPs recorded per store.",
            "# TYPE edepot_audit_copies gauge",
            *(f'edepot_audit_copies{{store="{_label(s["store"])}"}} {s["copies"]}' for s in status["stores"]),
            "# HELP edepot_audit_cadence_seconds Required maximum age of a copy's last successful check.",
            "# TYPE edepot_audit_cadence_seconds gauge",
            f"edepot_audit_cadence_seconds {self.settings.cadence.total_seconds():.0f}",
            "# HELP edepot_aips_beschadigd AIPs with no good copy left of at least one object.",
            "# TYPE edepot_aips_beschadigd gauge",
            f"edepot_aips_beschadigd {len(status['beschadigd'])}",
        ]
        day = now - timedelta(days=1)
        tallies = self.catalog.tallies(day, now + timedelta(seconds=1))
        lines += [
            "# HELP edepot_audit_checks_24h AIP copies checked in the last 24 hours, by outcome.",
            "# TYPE edepot_audit_checks_24h gauge",
            *(
                f'edepot_audit_checks_24h{{store="{_label(t.store)}",outcome="{t.outcome}"}} {t.checks}'
                for t in tallies
            ),
            "# HELP edepot_audit_bytes_24h Bytes read by fixity checks in the last 24 hours.",
            "# TYPE edepot_audit_bytes_24h gauge",
            *(f'edepot_audit_bytes_24h{{store="{_label(t.store)}",outcome="{t.outcome}"}} {t.bytes}' for t in tallies),
        ]
        return "\n".join(lines) + "\n"

    # --- the report -----------------------------------------------------------------------------

    def report_data(self, start: date | None = None, end: date | None = None) -> dict[str, Any]:
        """Everything the archivaris's report shows, for the days start..end (inclusive; default:
        the last 90 days). Plain data: `edepot.audit_report` renders it as HTML, PDF, CSV or JSON."""
        now = self._now()
        end = end or now.date()
        start = start or end - timedelta(days=self.settings.cadence.days - 1)
        if start > end:
            raise InvalidInput(f"the period {start}..{end} ends before it starts", hint="swap --from and --to")
        t0 = datetime.combine(start, time(0), tzinfo=UTC)
        t1 = datetime.combine(end + timedelta(days=1), time(0), tzinfo=UTC)
        from edepot.storage.config import describe

        tallies = self.catalog.tallies(t0, t1)
        stores: dict[str, dict[str, Any]] = {
            c.name: {"store": c.name, "location": describe(c), "checks": 0, "objects": 0, "bytes": 0, "outcomes": {}}
            for c in self.copies
        }
        for t in tallies:
            s = stores.setdefault(
                t.store,
                {
                    "store": t.store,
                    "location": "(niet meer geconfigureerd)",
                    "checks": 0,
                    "objects": 0,
                    "bytes": 0,
                    "outcomes": {},
                },
            )
            s["checks"] += t.checks
            s["objects"] += t.objects
            s["bytes"] += t.bytes
            s["outcomes"][str(t.outcome)] = s["outcomes"].get(str(t.outcome), 0) + t.checks
        failures: dict[tuple[str, str, str], dict[str, Any]] = {}
        repairs: list[dict[str, Any]] = []
        for check in self.catalog.problems(t0, t1):
            for p in check.problems:
                row = {"checked_at": check.checked_at.isoformat(), "run_id": str(check.run_id), **p}
                if p.get("repaired"):
                    repairs.append(row)
                    continue
                # the same unrepaired damage is found again by every later run: one row, first and last seen
                seen = failures.setdefault(
                    (p["aip_id"], p["store"], p["key"]), {**row, "first_seen": row["checked_at"], "times": 0}
                )
                seen.update(row, first_seen=seen["first_seen"], times=seen["times"] + 1)
        titles = self._titles({r["aip_id"] for r in [*repairs, *failures.values()]})
        for row in [*repairs, *failures.values()]:
            row.update(titles.get(row["aip_id"], {}))
        daily: dict[str, dict[str, int]] = {}
        for day, outcome, n in self.catalog.daily(t0, t1):
            daily.setdefault(day.isoformat(), {})[str(outcome)] = n
        chain = self.services.verify_events()
        head = self.services.catalog.event_head()
        damaged = self.services.catalog.list_aips(status=AipStatus.BESCHADIGD, limit=10_000)
        return {
            "period": {"from": start.isoformat(), "to": end.isoformat()},
            "generated_at": now.isoformat(),
            "software": {"name": "edepot", "version": __version__},
            "organisation": self.services.settings.organisation,
            "cadence_days": self.settings.cadence.days,
            "status": self.status(),
            "stores": list(stores.values()),
            "totals": {
                "checks": sum(s["checks"] for s in stores.values()),
                "objects": sum(s["objects"] for s in stores.values()),
                "bytes": sum(s["bytes"] for s in stores.values()),
            },
            "runs": [r.as_dict() for r in self.catalog.runs(t0, t1)],
            "failures": list(failures.values()),
            "repairs": repairs,
            "beschadigd": [{"aip_id": str(a.id), "title": a.title, "source_key": a.source_key} for a in damaged],
            "daily": [{"day": d, **counts} for d, counts in sorted(daily.items())],
            "event_chain": {
                "intact": not chain,
                "events": head[0] if head else 0,
                "head": head[1] if head else None,
                "findings": [f.as_dict() for f in chain],
            },
        }

    def _titles(self, aip_ids: set[str], limit: int = 1000) -> dict[str, dict[str, str]]:
        found: dict[str, dict[str, str]] = {}
        for aip_id in sorted(aip_ids)[:limit]:
            try:
                aip = self.services.catalog.get_aip(UUID(aip_id))
            except NotFound:
                continue
            found[aip_id] = {"title": aip.title, "source_key": aip.source_key}
        return found


def check_object(copy: ObjectStore, entry: FileEntry) -> ObjectCheck:
    """Stream one object from one copy, hash it and compare it with the ledger (never the store's own metadata)."""
    view = _buffer()
    digest = hashlib.sha256()
    size = 0
    try:
        with copy.open(entry.key) as handle:
            readinto = getattr(handle, "readinto", None)
            if readinto is None:  # a store whose files only `read`
                while chunk := handle.read(fixity.CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
            else:
                while n := readinto(view):
                    digest.update(view[:n])
                    size += n
    except NotFound:
        return ObjectCheck(copy.name, entry, "ontbreekt", "het object ontbreekt in deze opslag")
    except (EdepotError, OSError) as exc:
        return ObjectCheck(copy.name, entry, "onleesbaar", f"{type(exc).__name__}: {exc}"[:500])
    actual = digest.hexdigest()
    if actual != entry.sha256 or size != entry.size:
        return ObjectCheck(
            copy.name,
            entry,
            "afwijkend",
            f"gelezen sha256 {actual} ({size} bytes); het register zegt {entry.sha256} ({entry.size} bytes)",
        )
    return ObjectCheck(copy.name, entry, "ok")


class _Inline:
    """An executor that runs each job at once in the calling thread (one worker: no thread hop)."""

    def __enter__(self) -> _Inline:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def submit(self, fn: Any, *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args))
        except BaseException as exc:
            future.set_exception(exc)
        return future


_buffers = threading.local()


def _buffer() -> memoryview:
    """One read buffer per thread, reused for every object (no allocation per object)."""
    view: memoryview | None = getattr(_buffers, "view", None)
    if view is None:
        view = _buffers.view = memoryview(bytearray(fixity.CHUNK))
    return view


def _age_dict(a: Ouderdom, now: datetime, cadence: timedelta) -> dict[str, Any]:
    return {
        "store": a.store,
        "copies": a.copies,
        "aips": a.aips,
        "oldest_verified": a.oldest_verified.isoformat() if a.oldest_verified else None,
        "oldest_age_days": round((now - a.oldest_verified).total_seconds() / 86400, 2) if a.oldest_verified else None,
        "overdue": a.overdue,
        "cadence_days": cadence.days,
    }


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def build_auditor(services: Any, *, settings: AuditSettings | None = None, alert: Alert | None = None) -> Auditor:
    """An Auditor on the services' catalog: `services.audits` when set, else a SQL audit catalog on
    the catalog's engine (the composition root's choice), else an in-memory one."""
    catalog = services.audits
    if catalog is None:
        engine = getattr(services.catalog, "_engine", None)
        if engine is not None:
            from edepot.catalog.audit_sql import SqlAuditCatalog

            catalog = SqlAuditCatalog(engine)
        else:
            from edepot.catalog.audit_memory import InMemoryAuditCatalog

            catalog = InMemoryAuditCatalog(services.catalog)
    return Auditor(services, catalog, settings=settings or AuditSettings.from_env(), alert=alert)
