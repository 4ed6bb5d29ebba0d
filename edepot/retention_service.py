"""Retention use cases: the nightly job, the approval workflow, destruction and transfer.

`RetentionService(services, catalog)` combines the existing `Services` (holdings catalog, object
store, clock, ingest, export) with a `RetentionCatalog`; every decision comes from the pure engine
(`edepot.retention.decide`), every category from the mapping (`selectielijsten/mapping.json`).

The nightly job (`nightly(today)`), in steps that each commit per batch, so a crash anywhere is
completed by running it again and running it twice changes nothing:

1. facts: every stored AIP without facts has its bag-info.txt and root sidecar read ONCE; the raw
   properties and the mapped engine inputs are kept (`retention_facts`). A changed mapping is
   re-applied from the kept properties.
2. decisions: only AIPs whose facts, rules (lists, settings) or day-dependent outcome changed are
   decided again (keyset pages of `batch`), so a quiet night reads no facts at all. A decision's
   `revisie` grows only when its content changes.
3. exclusions: every N decision gets an open 'onbekende categorie' exclusion, lifted when the
   category becomes known; holds, Woo-verzoeken, procedures and hotspots are placed by people.
4. proposals: one INSERT ... SELECT per list kind adds the due, unexcluded AIPs to the concept
   vernietigingslijst (V, archiefactiedatum <= today) and overbrengingslijst (B, overbrengingsdatum
   <= today: 20 years, or 10 under the new Archiefwet from `nieuwe_archiefwet_vanaf`).
5. metadata revisions: each B/V decision revisie not yet in storage is written as a revision bag
   (see `edepot.retention_revision`: `revisions/<aip>/<n>/`, the stored AIP is never touched), and
   where the store supports it the Object Lock retain-until is extended (V: archiefactiedatum +
   grace; B: now + horizon). Then `mark_written`.
6. locks of N: an AIP whose category is unknown gets no revision, but stays locked where the store
   supports it: now + horizon, extended again once less than half the horizon is left (`lock_undecided`).

Workflow: concept -> ter beoordeling (`submit`, DIM) -> goedgekeurd and straight into wachttijd
(`approve`, archivaris only, not the one who submitted) or afgewezen with a reason per item
(`reject`) -> reworked and submitted again; `remove_item` with a reason and a new
archiefactiedatum; `cancel` until the first item is executed; `execute` after the waiting period.

Destruction rechecks right before acting (list approved and unchanged since, waiting period over,
decision unchanged, V, date passed, no open exclusion, AIP stored), records the intent (item
bezig), asks every store's Destroyer whether an object is still locked (then the item waits with
that reason and nothing is deleted), deletes every object and version of the AIP and its revisions
in every store, marks the AIP vernietigd, keeps a tombstone, and when the list is done writes the
verklaring van vernietiging (PDF + CSV), ingested as a permanent record (source "edepot").
Transfer exports every AIP (and its newest metadata revision) as BagIt/MDTO into a folder for the
archiefbewaarplaats, with the verklaring van overbrenging and openbaarheidsbeperkingen.csv (each
lapsing at most 75 years after the record's end date), also ingested as a permanent record.

What `rebuild-catalog` needs: nothing for a rebuild of the holdings (the retention tables hold no
foreign keys to them and AIP ids are kept); after losing the whole database, `restore_from_storage`
takes every AIP's newest decision back from its revision bags, and the next nightly run maps the
facts again from the bags.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from edepot import bagcheck, events, fixity, packaging
from edepot.auth.policy import Action, allowed
from edepot.auth.principal import Forbidden, Principal
from edepot.errors import Conflict, EdepotError, Finding, InvalidInput, NotFound, Severity
from edepot.mdto.model import (
    ARCHIEFVORMER_PROVINCIE_LIMBURG,
    GEEN_BEPERKING,
    LIJST_AGGREGATIENIVEAU,
    LIJST_DEKKING_IN_TIJD,
    LIJST_EVENTTYPE,
    LIJST_WAARDERING,
    Begrip,
    DekkingInTijd,
    Event,
    Identificatie,
    Informatieobject,
)
from edepot.mdto.reader import from_xml
from edepot.model import AipStatus, EventOutcome, advance
from edepot.ports import ObjectStore
from edepot.retention import RetentionDecision, datumgebruik, decide, plus_duur
from edepot.retention_mapping import (
    RetentionMapping,
    eigenschappen,
    load_mapping,
    map_feiten,
    parse_datum,
    record_facts,
    remap,
)
from edepot.retention_ports import RetentionCatalog, Vernietigingsopdracht
from edepot.retention_revision import PREFIX as REVISIONS
from edepot.retention_revision import prefix_of, read_latest, render, retain_until, write_many
from edepot.retention_verklaring import (
    Beperking,
    beperkingen_csv,
    openbaar_vanaf,
    overbrenging_csv,
    overbrenging_pdf,
    vernietiging_csv,
    vernietiging_pdf,
)
from edepot.retention_workflow import (
    LIJST_TRANSITIONS,
    TE_DOEN,
    AipRef,
    Besluit,
    Feiten,
    Grafsteen,
    Groep,
    Grofsleutel,
    Item,
    ItemStatus,
    Lijst,
    LijstSoort,
    LijstStatus,
    Uitsluiting,
    UitsluitingSoort,
    Uitstel,
    Verklaring,
    brondatum_veld,
)
from edepot.selectielijst import DEFAULT_DIR, Selectielijst, Waardering, as_dict, load_dir
from edepot.submission import PackageInput, RecordInput, SourceFile, SubmissionInput

ENGINE_VERSION = "1"  # part of the rules hash: bump it when decide() changes its outcomes
NIGHTLY = "retention nightly"
POLICY_EVENT = "policy assignment"  # PREMIS: retention decisions and list decisions
BRON_VERKLARING = "edepot"
KENMERK_BRON = "e-depot Provincie Limburg, retentie"


@dataclass(frozen=True)
class RetentionSettings:
    """The knobs of retention (environment `EDEPOT_RETENTION_*`)."""

    selectielijsten: Path = DEFAULT_DIR
    mapping: Path | None = None  # default: <selectielijsten>/mapping.json
    wachttijd: timedelta = timedelta(days=7)
    grace: timedelta = timedelta(days=30)  # V: lock until archiefactiedatum + grace
    horizon: timedelta = timedelta(days=3650)  # B (and undated V): lock until now + horizon
    overbrenging_termijn_jaren: int = 20
    nieuwe_archiefwet_vanaf: date | None = None  # from this brondatum on: transfer after 10 years
    batch: int = 5000
    workers: int = 4  # threads reading bags when facts are first taken
    revision_batch: int = 200  # metadata revisions stored per sync of a store

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> RetentionSettings:
        env = os.environ if environ is None else environ
        kwargs: dict[str, Any] = {}

        def days(name: str) -> timedelta:
            try:
                value = int(env[name])
            except ValueError:
                raise InvalidInput(f"{name}={env[name]!r} is not a whole number of days", setting=name) from None
            if value < 0:
                raise InvalidInput(f"{name} must not be negative", setting=name)
            return timedelta(days=value)

        if env.get("EDEPOT_SELECTIELIJSTEN"):
            kwargs["selectielijsten"] = Path(env["EDEPOT_SELECTIELIJSTEN"])
        if env.get("EDEPOT_RETENTION_MAPPING"):
            kwargs["mapping"] = Path(env["EDEPOT_RETENTION_MAPPING"])
        for name, key in (
            ("EDEPOT_RETENTION_WACHTTIJD_DAGEN", "wachttijd"),
            ("EDEPOT_RETENTION_GRACE_DAGEN", "grace"),
            ("EDEPOT_RETENTION_B_HORIZON_DAGEN", "horizon"),
        ):
            if env.get(name):
                kwargs[key] = days(name)
        if env.get("EDEPOT_RETENTION_BATCH"):
            try:
                kwargs["batch"] = max(1, int(env["EDEPOT_RETENTION_BATCH"]))
            except ValueError:
                raise InvalidInput(
                    f"EDEPOT_RETENTION_BATCH={env['EDEPOT_RETENTION_BATCH']!r} is not a whole number",
                    setting="EDEPOT_RETENTION_BATCH",
                ) from None
        if env.get("EDEPOT_RETENTION_NIEUWE_ARCHIEFWET_VANAF"):
            raw = env["EDEPOT_RETENTION_NIEUWE_ARCHIEFWET_VANAF"]
            try:
                kwargs["nieuwe_archiefwet_vanaf"] = date.fromisoformat(raw)
            except ValueError:
                raise InvalidInput(
                    f"EDEPOT_RETENTION_NIEUWE_ARCHIEFWET_VANAF={raw!r} is not a date",
                    hint="write YYYY-MM-DD",
                    setting="EDEPOT_RETENTION_NIEUWE_ARCHIEFWET_VANAF",
                ) from None
        return cls(**kwargs)


@dataclass
class NightlyReport:
    today: date
    facts_added: int = 0
    facts_remapped: int = 0
    decided: int = 0
    changed: int = 0
    exclusions_placed: int = 0
    exclusions_lifted: int = 0
    revisions_written: int = 0
    locks_extended: int = 0  # AIPs with an N decision whose Object Lock was extended
    lists: dict[str, dict[str, Any]] = field(default_factory=dict)
    decisions: dict[str, int] = field(default_factory=dict)
    exclusions: dict[str, int] = field(default_factory=dict)
    warnings: list[Finding] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "facts_added": self.facts_added,
            "facts_remapped": self.facts_remapped,
            "decided": self.decided,
            "changed": self.changed,
            "exclusions_placed": self.exclusions_placed,
            "exclusions_lifted": self.exclusions_lifted,
            "revisions_written": self.revisions_written,
            "locks_extended": self.locks_extended,
            "lists": self.lists,
            "decisions": dict(sorted(self.decisions.items())),
            "exclusions": dict(sorted(self.exclusions.items())),
            "warnings": [w.as_dict() for w in self.warnings],
        }

    def summary(self) -> str:
        lines = [
            f"Retention nightly {self.today}: {self.decided} decided ({self.changed} changed), "
            f"{self.facts_added} new AIPs mapped, {self.facts_remapped} re-mapped, "
            f"{self.revisions_written} metadata revisions written",
            "  decisions: " + (", ".join(f"{k} {v}" for k, v in sorted(self.decisions.items())) or "none"),
            "  exclusions: " + (", ".join(f"{k} {v}" for k, v in sorted(self.exclusions.items())) or "none"),
        ]
        for soort, info in sorted(self.lists.items()):
            lines.append(f"  {soort}: {info['id'] or 'none'} (+{info['added']} items, status {info['status']})")
        lines += [f"  warning [{w.rule}] {w.object or ''}: {w.message}" for w in self.warnings[:20]]
        return "\n".join(lines)


@dataclass
class ExecutionReport:
    lijst: Lijst
    executed: list[str] = field(default_factory=list)
    waiting: list[dict[str, str]] = field(default_factory=list)
    blocked: list[dict[str, str]] = field(default_factory=list)
    verklaring: Verklaring | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "lijst": self.lijst.as_dict(items=False),
            "executed": self.executed,
            "waiting": self.waiting,
            "blocked": self.blocked,
            "verklaring": self.verklaring.as_dict() if self.verklaring else None,
        }


class RetentionService:
    def __init__(
        self,
        services: Any,
        catalog: RetentionCatalog,
        *,
        settings: RetentionSettings | None = None,
        stores: Sequence[ObjectStore] | None = None,
        lists: Sequence[Selectielijst] | None = None,
        mapping: RetentionMapping | None = None,
    ) -> None:
        self.services = services
        self.catalog = catalog
        self.settings = settings or RetentionSettings()
        self.stores: tuple[ObjectStore, ...] = tuple(stores) if stores else (services.store,)
        self._lists = tuple(lists) if lists is not None else None
        self._mapping = mapping

    # --- configuration ------------------------------------------------------------------------

    @property
    def lists(self) -> tuple[Selectielijst, ...]:
        if self._lists is None:
            self._lists = tuple(load_dir(self.settings.selectielijsten))
        return self._lists

    @property
    def mapping(self) -> RetentionMapping:
        if self._mapping is None:
            self._mapping = load_mapping(self.settings.mapping or self.settings.selectielijsten / "mapping.json")
        return self._mapping

    def regels_hash(self) -> str:
        body = json.dumps(
            {
                "engine": ENGINE_VERSION,
                "lists": [as_dict(s) for s in self.lists],
                "overbrenging": self.settings.overbrenging_termijn_jaren,
                "nieuwe_archiefwet_vanaf": str(self.settings.nieuwe_archiefwet_vanaf),
            },
            sort_keys=True,
            ensure_ascii=False,
        )
        return hashlib.sha256(body.encode()).hexdigest()

    def acting(self, principal: Principal) -> RetentionService:
        """The same service whose events name `principal` as agent."""
        from edepot.auth.audit import acting

        clone = RetentionService(
            acting(self.services, principal),
            self.catalog,
            settings=self.settings,
            stores=self.stores,
            lists=self._lists,
            mapping=self._mapping,
        )
        return clone

    @property
    def workdir(self) -> Path:
        return Path(self.services.settings.home) / "retention"

    def _now(self) -> datetime:
        now: datetime = self.services.clock.now()
        return now

    # --- the nightly job ------------------------------------------------------------------------

    def nightly(self, today: date, *, write_revisions: bool = True, max_revisions: int | None = None) -> NightlyReport:
        """Assign and update decisions, exclusions and proposals for every stored AIP (see module doc).

        `max_revisions` bounds the metadata revisions written in this run (a first run over a large
        holding writes one per AIP; the rest follow on the next nights)."""
        report = NightlyReport(today=today)
        self.take_facts(report)
        self.remap_facts(report)
        self.decide_all(today, report)
        now = self._now()
        placed, lifted = self.catalog.sync_unknown_category(door=NIGHTLY, op=now, new_id=self.services.new_id)
        report.exclusions_placed, report.exclusions_lifted = placed, lifted
        for soort in LijstSoort:
            lijst, added = self.catalog.propose(soort, today, door=NIGHTLY, op=now, new_id=self.services.new_id)
            report.lists[str(soort)] = {
                "id": str(lijst.id) if lijst else None,
                "added": added,
                "status": str(lijst.status) if lijst else None,
                "items": sum(lijst.tellingen.values()) if lijst else 0,
            }
        if write_revisions:
            report.revisions_written = self.write_revisions(report, limit=max_revisions)
        report.locks_extended = self.lock_undecided(report)
        report.decisions = self.catalog.decision_counts()
        report.exclusions = self.catalog.exclusion_counts()
        self.services.record_event(
            POLICY_EVENT,
            EventOutcome.WAARSCHUWING if report.warnings else EventOutcome.GELUKT,
            None,
            actie="retention nightly",
            today=today.isoformat(),
            decided=report.decided,
            changed=report.changed,
            lists=report.lists,
            warnings=len(report.warnings),
        )
        return report

    def take_facts(self, report: NightlyReport) -> None:
        """Map every stored AIP that has no facts yet, reading its bag-info.txt and root sidecar once."""
        while True:
            refs = self.catalog.aips_without_facts(self.settings.batch)
            if not refs:
                return
            with ThreadPoolExecutor(max_workers=max(1, self.settings.workers)) as pool:
                rows = list(pool.map(lambda ref: self._facts_of(ref, report), refs))
            self.catalog.put_facts(rows)
            report.facts_added += len(rows)

    def _facts_of(self, ref: AipRef, report: NightlyReport) -> Feiten:
        store = self.services.store
        prefix = f"aips/{ref.aip_id}"
        try:
            with store.open(f"{prefix}/bag-info.txt") as handle:
                info = packaging.parse_bag_info(handle.read().decode("utf-8"))
            root = None
            if ref.sidecar_path:
                with store.open(f"{prefix}/{ref.sidecar_path}") as handle:
                    obj = from_xml(handle.read(), source=f"{prefix}/{ref.sidecar_path}")
                root = obj if isinstance(obj, Informatieobject) else None
            props = eigenschappen(info, root)
        except (EdepotError, UnicodeDecodeError) as exc:
            report.warnings.append(
                Finding(
                    rule="retention.facts.unreadable",
                    message=f"the metadata of AIP {ref.aip_id} could not be read: {exc}",
                    action="run a fixity audit of this AIP; it is appraised N until its metadata can be read",
                    severity=Severity.WAARSCHUWING,
                    object=str(ref.aip_id),
                )
            )
            props = {"fout": str(exc)}
        return map_feiten(self.mapping, ref, props)

    def remap_facts(self, report: NightlyReport) -> None:
        after: UUID | None = None
        while True:
            page = self.catalog.facts_with_other_mapping(self.mapping.hash, after, self.settings.batch)
            if not page:
                return
            self.catalog.put_facts([remap(self.mapping, f) for f in page])
            report.facts_remapped += len(page)
            after = page[-1].aip_id

    def decide_all(self, today: date, report: NightlyReport) -> None:
        regels = self.regels_hash()
        now = self._now()
        after: UUID | None = None
        omschrijvingen = {(s.naam, s.versie, c.nummer): c.omschrijving for s in self.lists for c in s.categorieen}
        cache: dict[tuple[Any, ...], RetentionDecision] = {}
        self.decide_groups(today, report, regels=regels, now=now, omschrijvingen=omschrijvingen)
        while True:  # what groups cannot decide: postponed, further inputs, fixed waardering, N by date
            page = self.catalog.facts_needing_decision(regels, after, self.settings.batch)
            if not page:
                return
            rows = []
            for feiten, current, uitstel in page:
                new = self.decision_for(
                    feiten, uitstel, today, now=now, regels=regels, omschrijvingen=omschrijvingen, cache=cache
                )
                if current is not None and current.inhoud() == new.inhoud():
                    new = replace(
                        new, revisie=current.revisie, geschreven=current.geschreven, besloten_op=current.besloten_op
                    )
                elif current is not None:
                    new = replace(new, revisie=current.revisie + 1, geschreven=current.geschreven)
                    report.changed += 1
                else:
                    report.changed += 1
                rows.append(new)
            self.catalog.save_decisions(rows)
            report.decided += len(rows)
            after = page[-1][0].aip_id

    def grenzen(self) -> tuple[date, ...]:
        """The days on which a list version starts or stops applying to creation dates."""
        days = {s.geldig_van for s in self.lists if s.geldig_van is not None}
        days |= {s.geldig_tot + timedelta(days=1) for s in self.lists if s.geldig_tot is not None}
        return tuple(sorted(days))

    def decide_groups(
        self,
        today: date,
        report: NightlyReport,
        *,
        regels: str,
        now: datetime,
        omschrijvingen: Mapping[tuple[str, str, str], str],
    ) -> None:
        """Decide once per group of AIPs with equal engine inputs (`Groep`) and write the decisions
        set-wise. First the coarse groups (source, category, klasse, list period) say, through the
        engine's `datumgebruik`, how each category uses the two plain dates; then the AIPs are grouped
        on what is used (nothing, the year, the exact date) and each group is decided once.

        A group whose outcome is N is taken only when its earliest and latest creation dates give the
        same decision (N reasons may name the date); a group whose brondatum is each AIP's own date is
        taken only when the decision shows that date once in its reason; the rest is decided per AIP."""
        grenzen = self.grenzen()
        gebruik: dict[Grofsleutel, tuple[str, str]] = {}
        for grof in self.catalog.decision_groups(regels, grenzen, today):
            used = datumgebruik(record_facts(_feiten_van(grof, grof.eerste)), self.lists, today)
            gebruik[grof.grof()] = (str(used.einddatum), str(used.ander_datumkenmerk))
        if not gebruik:
            return  # no coarse group, so no fine one: a quiet night skips the second pass over the facts
        besluiten: list[tuple[Groep, Besluit]] = []
        for groep in self.catalog.decision_groups(regels, grenzen, today, gebruik):
            besluit = self.decision_for(
                _feiten_van(groep, groep.eerste), None, today, now=now, regels=regels, omschrijvingen=omschrijvingen
            )
            if besluit.waardering is Waardering.N and groep.laatste != groep.eerste:
                other = self.decision_for(
                    _feiten_van(groep, groep.laatste),
                    None,
                    today,
                    now=now,
                    regels=regels,
                    omschrijvingen=omschrijvingen,
                )
                if other.inhoud() != besluit.inhoud():
                    continue
            veld = brondatum_veld(gebruik.get(groep.grof(), ("datum", "datum")))
            if veld is not None and besluit.brondatum is not None:
                eigen = getattr(groep, veld)
                if besluit.brondatum != eigen or besluit.reden.count(eigen.isoformat()) != 1:
                    continue
            besluiten.append((groep, besluit))
        decided, changed = self.catalog.save_group_decisions(
            regels, grenzen, today, besluiten, gebruik=gebruik, besloten_op=now
        )
        report.decided += decided
        report.changed += changed

    def decision_for(
        self,
        feiten: Feiten,
        uitstel: Uitstel | None,
        today: date,
        *,
        now: datetime,
        regels: str,
        omschrijvingen: Mapping[tuple[str, str, str], str] | None = None,
        cache: dict[tuple[Any, ...], RetentionDecision] | None = None,
    ) -> Besluit:
        """The decision for one AIP's facts (pure apart from the loaded rules)."""
        base: dict[str, Any] = {
            "aip_id": feiten.aip_id,
            "record_id": feiten.record_id,
            "besloten_op": now,
            "feiten_revisie": feiten.revisie,
            "regels_hash": regels,
        }
        if feiten.vaste_waardering == "B":
            return self._vast(feiten, base)
        d = self._engine(feiten, today, cache)
        reden = d.reden.replace(" (due)", "")
        archiefactiedatum, overbrengingsdatum = d.archiefactiedatum, d.overbrengingsdatum
        if uitstel is not None and d.waardering is not Waardering.N:
            if d.waardering is Waardering.V and archiefactiedatum and uitstel.archiefactiedatum > archiefactiedatum:
                archiefactiedatum = uitstel.archiefactiedatum
                reden += f"; archiefactiedatum set by hand to {archiefactiedatum} by {uitstel.door}: {uitstel.reden}"
            if d.waardering is Waardering.B and overbrengingsdatum and uitstel.archiefactiedatum > overbrengingsdatum:
                overbrengingsdatum = archiefactiedatum = uitstel.archiefactiedatum
                reden += f"; transfer set by hand to {overbrengingsdatum} by {uitstel.door}: {uitstel.reden}"
        omschrijving = None
        if d.selectielijst and d.versie and d.categorie:
            lookup = omschrijvingen or {}
            omschrijving = lookup.get((d.selectielijst, d.versie, d.categorie))
            if omschrijving is None and not lookup:
                omschrijving = next(
                    (
                        c.omschrijving
                        for s in self.lists
                        if s.naam == d.selectielijst and s.versie == d.versie
                        for c in s.categorieen
                        if c.nummer == d.categorie
                    ),
                    None,
                )
        return Besluit(
            waardering=d.waardering,
            code=d.code,
            reden=reden,
            selectielijst=d.selectielijst,
            versie=d.versie,
            categorie=d.categorie,
            categorie_omschrijving=omschrijving,
            bewaartermijn=d.bewaartermijn,
            afleidingswijze=d.afleidingswijze,
            brondatum=d.brondatum,
            termijnstart=d.termijnstart,
            archiefactiedatum=archiefactiedatum,
            overbrengingsdatum=overbrengingsdatum,
            uitgesteld=d.uitgesteld,
            **base,
        )

    def _engine(
        self, feiten: Feiten, today: date, cache: dict[tuple[Any, ...], RetentionDecision] | None
    ) -> RetentionDecision:
        """`decide()`, remembered per run for facts that only differ in what the outcome does not use.

        The outcome depends on the creation date only through the list versions in force for it (and
        on N reasons, which name the date: those are never remembered)."""
        key: tuple[Any, ...] | None = None
        if cache is not None and not feiten.invoer and feiten.aanmaakdatum is not None and feiten.aanmaakdatum <= today:
            in_force = tuple(s.geldt_voor(feiten.aanmaakdatum) for s in self.lists)
            key = (feiten.categorie, feiten.selectielijstklasse, in_force, feiten.einddatum, feiten.ander_datumkenmerk)
            found = cache.get(key)
            if found is not None:
                return found
        d = decide(
            record_facts(feiten),
            self.lists,
            today,
            overbrenging_termijn_jaren=self.settings.overbrenging_termijn_jaren,
            nieuwe_archiefwet_vanaf=self.settings.nieuwe_archiefwet_vanaf,
        )
        if key is not None and cache is not None and d.waardering is not Waardering.N:
            cache[key] = d
        return d

    def _vast(self, feiten: Feiten, base: dict[str, Any]) -> Besluit:
        reden = str(feiten.invoer.get("vaste_reden") or "kept permanently by law")
        brondatum = feiten.einddatum or feiten.aanmaakdatum
        overbrenging = None
        if brondatum is not None:
            vanaf = self.settings.nieuwe_archiefwet_vanaf
            jaren = 10 if vanaf is not None and brondatum >= vanaf else self.settings.overbrenging_termijn_jaren
            overbrenging = plus_duur(brondatum, f"P{jaren}Y")
            reden += f"; transfer {jaren} years after {brondatum}: {overbrenging}"
        return Besluit(
            waardering=Waardering.B,
            code="retention.vast",
            reden=reden,
            brondatum=brondatum,
            termijnstart=brondatum,
            archiefactiedatum=overbrenging,
            overbrengingsdatum=overbrenging,
            uitgesteld=brondatum is None,
            **base,
        )

    # --- metadata revisions -----------------------------------------------------------------------

    def write_revisions(self, report: NightlyReport | None = None, *, limit: int | None = None) -> int:
        """Write every B/V decision revisie not yet in storage as a revision bag; how many were written.

        In batches of `revision_batch`: the bags of a batch are stored with one sync per store (a sync
        costs more than writing a small bag), verified, locked, and then marked written together."""
        written = 0
        after: UUID | None = None
        work = self.workdir / "work"
        work.mkdir(parents=True, exist_ok=True)
        while limit is None or written < limit:
            page = self.catalog.unwritten_decisions(after, self.settings.batch)
            if not page:
                break
            if limit is not None:
                page = page[: limit - written]
            step = max(1, self.settings.revision_batch)
            for start in range(0, len(page), step):
                written += self._write_batch(page[start : start + step], work, report)
            after = page[-1].aip_id
        return written

    def _write_batch(self, besluiten: Sequence[Besluit], work: Path, report: NightlyReport | None) -> int:
        bags: list[tuple[Besluit, str, dict[str, bytes]]] = []
        done: list[tuple[UUID, int]] = []
        for besluit in besluiten:
            aip = self.services.catalog.get_aip(besluit.aip_id)
            if aip.status is not AipStatus.OPGESLAGEN:
                done.append((besluit.aip_id, besluit.revisie))  # nothing to revise any more
                continue
            bags.append((besluit, prefix_of(aip.id, besluit.revisie), self._render(aip, besluit)))
        for store in self.stores:
            write_many(store, [(prefix, files) for _, prefix, files in bags], work)
            for besluit, prefix, _ in bags:
                self._lock(store, besluit.aip_id, prefix, besluit, report)
        self.catalog.mark_all_written([*done, *((b.aip_id, b.revisie) for b, _, _ in bags)])
        return len(besluiten)

    def _render(self, aip: Any, besluit: Besluit) -> dict[str, bytes]:
        sidecars = {}
        for record in aip.records:
            with self.services.store.open(f"aips/{aip.id}/{record.sidecar_path}") as handle:
                sidecars[record.sidecar_path] = handle.read()
        feiten = self.catalog.get_facts(aip.id)
        return render(
            aip.id,
            aip.source_key,
            besluit,
            sidecars,
            organisation=self.services.settings.organisation,
            feiten={
                "categorie": feiten.categorie,
                "selectielijstklasse": feiten.selectielijstklasse,
                "aanmaakdatum": feiten.aanmaakdatum.isoformat() if feiten.aanmaakdatum else None,
                "einddatum": feiten.einddatum.isoformat() if feiten.einddatum else None,
                "mapping_hash": feiten.mapping_hash,
            },
        )

    def _lock(
        self, store: ObjectStore, aip_id: UUID, prefix: str, besluit: Besluit, report: NightlyReport | None
    ) -> None:
        """Extend the store's retain-until to what the decision asks, where the store supports it."""
        set_retention = getattr(store, "set_retention", None)
        get_retention = getattr(store, "get_retention", None)
        if set_retention is None or get_retention is None:
            return
        until = retain_until(besluit, now=self._now(), grace=self.settings.grace, horizon=self.settings.horizon)
        keys = [*store.keys(f"aips/{aip_id}/"), *store.keys(f"{prefix}/")]
        for key in keys:
            try:
                current = get_retention(key)
                if current is None or current.until < until:
                    set_retention(key, until)
            except EdepotError as exc:
                if report is not None:
                    report.warnings.append(
                        Finding(
                            rule="retention.lock",
                            message=f"the retain-until of {key} in {store.name} could not be set to {until}: {exc}",
                            action="check the bucket's Object Lock configuration",
                            severity=Severity.WAARSCHUWING,
                            object=str(aip_id),
                        )
                    )
                return

    def lock_undecided(self, report: NightlyReport | None = None) -> int:
        """Keep every AIP with an N decision (category unknown) locked where a store supports it:
        now + horizon, extended again once less than half the horizon is left, without a revision
        (N writes none). How many AIP locks were extended.

        Every object of the AIP (and of earlier revisions) is extended in sorted key order, the last
        key last, so that key alone says whether the AIP is done: a second night reads one retention
        per AIP and sets nothing, and a run stopped halfway is completed by the next one."""
        lockable = [s for s in self.stores if hasattr(s, "set_retention") and hasattr(s, "get_retention")]
        # a Replicas store without an S3 copy has the methods but nothing to lock
        lockable = [s for s in lockable if not hasattr(s, "lockable") or s.lockable()]
        if not lockable:
            return 0
        now = self._now()
        until, renew_before = now + self.settings.horizon, now + self.settings.horizon / 2
        extended = 0
        for besluit in self.iter_decisions(waardering=str(Waardering.N)):
            for store in lockable:
                extended += self._keep_locked(store, besluit.aip_id, until, renew_before, report)
        return extended

    def _keep_locked(
        self, store: Any, aip_id: UUID, until: datetime, renew_before: datetime, report: NightlyReport | None
    ) -> bool:
        keys = sorted({*store.keys(f"aips/{aip_id}/"), *store.keys(f"{REVISIONS}/{aip_id}/")})
        key = ""
        try:
            if not keys:
                return False
            current = store.get_retention(keys[-1])
            if current is not None and current.until >= renew_before:
                return False
            for key in keys:
                current = store.get_retention(key)
                if current is None or current.until < until:
                    store.set_retention(key, until)
        except EdepotError as exc:
            if report is not None:
                report.warnings.append(
                    Finding(
                        rule="retention.lock",
                        message=f"the retain-until of {key or aip_id} in {store.name} could not be set to {until}: "
                        f"{exc}",
                        action="check the bucket's Object Lock configuration",
                        severity=Severity.WAARSCHUWING,
                        object=str(aip_id),
                    )
                )
            return False
        return True

    def restore_from_storage(self) -> dict[str, int]:
        """After losing the retention tables: take every stored AIP's newest decision back from its
        revision bags (facts follow from the next nightly run)."""
        restored = skipped = 0
        offset = 0
        while True:
            page = self.services.catalog.list_aips(status=AipStatus.OPGESLAGEN, limit=1000, offset=offset)
            if not page:
                break
            offset += len(page)
            rows = []
            for aip in page:
                try:
                    self.catalog.get_decision(aip.id)
                    skipped += 1
                    continue
                except NotFound:
                    pass
                found = read_latest(self.services.store, aip.id)
                if found is None:
                    continue
                number, data = found
                rows.append(_besluit_from(data["besluit"], number))
                restored += 1
            self.catalog.save_decisions(rows)
        return {"restored": restored, "kept": skipped}

    # --- exclusions -----------------------------------------------------------------------------

    def place_exclusion(self, aip_id: UUID, soort: UitsluitingSoort, reden: str, *, door: str) -> Uitsluiting:
        if soort is UitsluitingSoort.ONBEKENDE_CATEGORIE:
            raise InvalidInput(
                "'onbekende categorie' exclusions are placed by the nightly job itself",
                hint="use legal hold, woo-verzoek, bezwaar/beroep/procedure or hotspot",
            )
        if not reden.strip():
            raise InvalidInput("an exclusion needs a reason", hint="say why the record must be kept for now")
        self.services.catalog.get_aip(aip_id)  # NotFound for an unknown AIP
        exclusion = Uitsluiting(self.services.new_id(), aip_id, soort, reden.strip(), door, self._now())
        self.catalog.add_exclusion(exclusion)
        self.services.record_event(
            POLICY_EVENT, EventOutcome.GELUKT, aip_id, actie="uitsluiting geplaatst", soort=str(soort), reden=reden
        )
        return exclusion

    def lift_exclusion(self, exclusion_id: UUID, reden: str, *, door: str) -> Uitsluiting:
        if not reden.strip():
            raise InvalidInput("lifting an exclusion needs a reason")
        lifted = self.catalog.lift_exclusion(exclusion_id, door=door, op=self._now(), reden=reden.strip())
        self.services.record_event(
            POLICY_EVENT, EventOutcome.GELUKT, lifted.aip_id, actie="uitsluiting opgeheven", soort=str(lifted.soort)
        )
        return lifted

    # --- the workflow ---------------------------------------------------------------------------

    def _require(self, principal: Principal, action: Action) -> None:
        if not allowed(principal.roles, action):
            raise Forbidden(
                f"none of your roles ({', '.join(sorted(principal.roles)) or 'none'}) may {action}",
                hint="approving and rejecting lists is for the archivaris",
                action=str(action),
            )

    def _require_any(self, principal: Principal) -> None:
        """DIM (proposes) or archivaris (approves): both may execute or cancel an approved list."""
        if not (
            allowed(principal.roles, Action.RETENTION_PROPOSE) or allowed(principal.roles, Action.RETENTION_APPROVE)
        ):
            self._require(principal, Action.RETENTION_PROPOSE)

    def _event(self, lijst: Lijst, actie: str, **detail: Any) -> None:
        self.services.record_event(
            POLICY_EVENT, EventOutcome.GELUKT, lijst.id, actie=actie, soort=str(lijst.soort), **detail
        )

    def submit(self, lijst_id: UUID, principal: Principal) -> Lijst:
        """Put a concept (or a rejected, reworked) list up for review by the archivaris."""
        self._require(principal, Action.RETENTION_PROPOSE)
        lijst = self.catalog.get_list(lijst_id)
        if lijst.status is LijstStatus.AFGEWEZEN:
            lijst = self.catalog.transition_list(lijst_id, LijstStatus.CONCEPT, expected_revisie=lijst.revisie)
        for item in lijst.items:
            if item.status is ItemStatus.AFGEWEZEN:
                self.catalog.set_item(
                    lijst_id, item.aip_id, ItemStatus.VOORGESTELD, door=principal.agent, op=self._now()
                )
        lijst = self.catalog.get_list(lijst_id)
        if not any(i.status is ItemStatus.VOORGESTELD for i in lijst.items):
            raise Conflict(f"list {lijst_id} has no items to review", hint="cancel it instead")
        moved = self.catalog.transition_list(
            lijst_id,
            LijstStatus.TER_BEOORDELING,
            expected_revisie=lijst.revisie,
            ingediend_door=principal.agent,
            ingediend_op=self._now(),
        )
        self._event(moved, "ter beoordeling", items=len(moved.items))
        return moved

    def approve(self, lijst_id: UUID, principal: Principal, *, revisie: int | None = None) -> Lijst:
        """Approve a list under review (archivaris only; not the one who submitted it); the waiting period starts."""
        self._require(principal, Action.RETENTION_APPROVE)
        lijst = self.catalog.get_list(lijst_id)
        if lijst.ingediend_door == principal.agent:
            raise Forbidden(
                f"list {lijst_id} was submitted by you; another person must approve it",
                hint="segregation of duties: the DIM team proposes, the archivaris approves",
            )
        now = self._now()
        approved = self.catalog.transition_list(
            lijst_id,
            LijstStatus.GOEDGEKEURD,
            expected_revisie=revisie if revisie is not None else lijst.revisie,
            beoordeeld_door=principal.agent,
            beoordeeld_op=now,
        )
        waiting = self.catalog.transition_list(
            lijst_id,
            LijstStatus.WACHTTIJD,
            expected_revisie=approved.revisie,
            wachttijd_tot=now + self.settings.wachttijd,
            goedgekeurde_revisie=approved.revisie + 1,
        )
        self._event(waiting, "goedgekeurd", revisie=waiting.revisie, wachttijd_tot=waiting.wachttijd_tot)
        return waiting

    def reject(
        self,
        lijst_id: UUID,
        principal: Principal,
        reden: str,
        items: Mapping[UUID, str] | None = None,
        *,
        revisie: int | None = None,
    ) -> Lijst:
        """Reject a list under review with a reason, and a reason per item that is wrong."""
        self._require(principal, Action.RETENTION_APPROVE)
        if not reden.strip():
            raise InvalidInput("a rejection needs a reason", hint="say what must change before approval")
        lijst = self.catalog.get_list(lijst_id)
        on_list = {i.aip_id for i in lijst.items}
        unknown = [str(a) for a in (items or {}) if a not in on_list]
        if unknown:
            raise InvalidInput(f"not on list {lijst_id}: {', '.join(unknown)}", hint="name items of this list")
        if revisie is not None and lijst.revisie != revisie:
            raise Conflict(f"list {lijst_id} changed meanwhile (revisie {lijst.revisie}, you saw {revisie})")
        advance(LIJST_TRANSITIONS, lijst.status, LijstStatus.AFGEWEZEN)  # InvalidTransition unless under review
        now = self._now()
        for aip_id, item_reden in (items or {}).items():
            if not item_reden.strip():
                raise InvalidInput(f"item {aip_id}: the reason is empty")
            self.catalog.set_item(
                lijst_id, aip_id, ItemStatus.AFGEWEZEN, reden=item_reden, door=principal.agent, op=now
            )
        rejected = self.catalog.transition_list(
            lijst_id, LijstStatus.AFGEWEZEN, beoordeeld_door=principal.agent, beoordeeld_op=now, reden=reden
        )
        self._event(rejected, "afgewezen", reden=reden, items={str(k): v for k, v in (items or {}).items()})
        return rejected

    def remove_item(self, lijst_id: UUID, aip_id: UUID, principal: Principal, reden: str, nieuwe_datum: date) -> Item:
        """Take an AIP off a list with a reason and a new archiefactiedatum (or transfer date)."""
        self._require(principal, Action.RETENTION_PROPOSE)
        if not reden.strip():
            raise InvalidInput("removing an item needs a reason")
        lijst = self.catalog.get_list(lijst_id)
        today = self._now().date()
        if nieuwe_datum <= today:
            raise InvalidInput(
                f"the new archiefactiedatum {nieuwe_datum} is not after today ({today})",
                hint="give the date from which the record may be proposed again",
            )
        if lijst.status not in (
            LijstStatus.CONCEPT,
            LijstStatus.AFGEWEZEN,
            LijstStatus.TER_BEOORDELING,
            LijstStatus.WACHTTIJD,
        ):
            raise Conflict(f"list {lijst_id} is {lijst.status}; its items cannot change any more")
        now = self._now()
        # during the waiting period a removal narrows what was approved, so the approval stays valid
        item = self.catalog.set_item(
            lijst_id,
            aip_id,
            ItemStatus.VERWIJDERD,
            reden=f"{reden.strip()} (nieuwe datum {nieuwe_datum})",
            door=principal.agent,
            op=now,
            bump=lijst.status is not LijstStatus.WACHTTIJD,
        )
        self.catalog.postpone(Uitstel(aip_id, nieuwe_datum, reden.strip(), principal.agent, now))
        self.catalog.invalidate_decision(aip_id)
        self._event(lijst, "item verwijderd", aip_id=str(aip_id), reden=reden, nieuwe_datum=nieuwe_datum.isoformat())
        return item

    def cancel(self, lijst_id: UUID, principal: Principal, reden: str) -> Lijst:
        """Cancel a list, until its first item has been executed."""
        self._require_any(principal)
        if not reden.strip():
            raise InvalidInput("cancelling a list needs a reason")
        lijst = self.catalog.get_list(lijst_id)
        begun = [i for i in lijst.items if i.status in (ItemStatus.BEZIG, ItemStatus.UITGEVOERD)]
        if begun:
            raise Conflict(
                f"list {lijst_id} is being executed ({len(begun)} items done or under way); it cannot be cancelled",
                hint="remove the remaining items one by one instead",
            )
        cancelled = self.catalog.transition_list(
            lijst_id, LijstStatus.GEANNULEERD, expected_revisie=lijst.revisie, reden=reden
        )
        self._event(cancelled, "geannuleerd", reden=reden)
        return cancelled

    def show(self, lijst_id: UUID) -> dict[str, Any]:
        """A list with its items, each with its open exclusions."""
        lijst = self.catalog.get_list(lijst_id)
        data = lijst.as_dict()
        for item in data["items"]:
            item["uitsluitingen"] = [
                u.as_dict() for u in self.catalog.exclusions(aip_id=UUID(item["aip_id"]), open_only=True)
            ]
        verklaring = self.catalog.get_verklaring(lijst_id)
        data["verklaring"] = verklaring.as_dict() if verklaring else None
        return data

    # --- execution ------------------------------------------------------------------------------

    def execute_due(self, principal: Principal) -> list[ExecutionReport]:
        """Execute every list whose waiting period is over."""
        now = self._now()
        reports = []
        for lijst in self.catalog.lists(status=LijstStatus.WACHTTIJD):
            if lijst.wachttijd_tot is not None and lijst.wachttijd_tot <= now:
                reports.append(self.execute(lijst.id, principal))
        return reports

    def execute(self, lijst_id: UUID, principal: Principal) -> ExecutionReport:
        self._require_any(principal)
        lijst = self.catalog.get_list(lijst_id)
        self._check_approval(lijst)
        report = ExecutionReport(lijst)
        today = self._now().date()
        for item in lijst.items:
            if item.status not in TE_DOEN:
                continue
            if lijst.soort is LijstSoort.VERNIETIGING:
                self._destroy(lijst, item, today, principal, report)
            else:
                self._transfer(lijst, item, today, principal, report)
        lijst = self.catalog.get_list(lijst_id)
        if not any(i.status in TE_DOEN for i in lijst.items):
            report.verklaring = self._verklaring(lijst)
            lijst = self.catalog.get_list(lijst_id)
            if lijst.status is LijstStatus.WACHTTIJD:
                lijst = self.catalog.transition_list(lijst_id, LijstStatus.UITGEVOERD, uitgevoerd_op=self._now())
                self._event(lijst, "uitgevoerd", items=len(report.executed))
        report.lijst = lijst
        return report

    def _check_approval(self, lijst: Lijst) -> None:
        now = self._now()
        if lijst.status is not LijstStatus.WACHTTIJD:
            raise Conflict(
                f"list {lijst.id} is {lijst.status}, not approved and waiting; nothing is executed",
                hint="a list is executed after approval by the archivaris and its waiting period",
            )
        if lijst.goedgekeurde_revisie != lijst.revisie or not lijst.beoordeeld_door or lijst.beoordeeld_op is None:
            raise Conflict(
                f"list {lijst.id} changed after its approval (revisie {lijst.revisie}, approved "
                f"{lijst.goedgekeurde_revisie}); nothing is executed",
                hint="cancel it; the next nightly run proposes the items again for a new approval",
            )
        if lijst.wachttijd_tot is None or lijst.wachttijd_tot > now:
            raise Conflict(
                f"the waiting period of list {lijst.id} lasts until {lijst.wachttijd_tot}; nothing is executed",
                hint="execute it after the waiting period, or cancel it",
            )

    def _recheck(self, lijst: Lijst, item: Item, today: date) -> str | None:
        """Why this item may not be acted on now, or None."""
        try:
            besluit = self.catalog.get_decision(item.aip_id)
            aip = self.services.catalog.get_aip(item.aip_id)
        except NotFound as exc:
            return str(exc)
        if aip.status not in (AipStatus.OPGESLAGEN, AipStatus.BESCHADIGD):
            return f"the AIP is {aip.status}"
        if besluit.revisie != item.besluit_revisie:
            return f"the decision changed since the list was made (revisie {item.besluit_revisie} -> {besluit.revisie})"
        open_exclusions = self.catalog.exclusions(aip_id=item.aip_id, open_only=True)
        if open_exclusions:
            return "; ".join(f"{u.soort}: {u.reden}" for u in open_exclusions)
        if lijst.soort is LijstSoort.VERNIETIGING:
            if besluit.waardering is not Waardering.V:
                return f"the waardering is {besluit.waardering}, not V"
            if besluit.uitgesteld or besluit.archiefactiedatum is None or besluit.archiefactiedatum > today:
                return f"the archiefactiedatum ({besluit.archiefactiedatum}) has not passed"
        else:
            if besluit.waardering is not Waardering.B:
                return f"the waardering is {besluit.waardering}, not B"
            if besluit.overbrengingsdatum is None or besluit.overbrengingsdatum > today:
                return f"the overbrengingsdatum ({besluit.overbrengingsdatum}) has not passed"
        return None

    def _block(self, lijst: Lijst, item: Item, reason: str, principal: Principal, report: ExecutionReport) -> None:
        self.catalog.set_item(
            lijst.id, item.aip_id, ItemStatus.GEBLOKKEERD, reden=reason, door=principal.agent, op=self._now()
        )
        report.blocked.append({"aip_id": str(item.aip_id), "reden": reason})
        self.services.record_event(
            POLICY_EVENT,
            EventOutcome.WAARSCHUWING,
            item.aip_id,
            actie="item geblokkeerd",
            lijst=str(lijst.id),
            reden=reason,
        )

    def _destroy(self, lijst: Lijst, item: Item, today: date, principal: Principal, report: ExecutionReport) -> None:
        if item.status is not ItemStatus.BEZIG:
            reason = self._recheck(lijst, item, today)
            if reason is not None:
                self._block(lijst, item, reason, principal, report)
                return
        assert lijst.beoordeeld_door is not None and lijst.beoordeeld_op is not None
        order = Vernietigingsopdracht(lijst.id, item.aip_id, lijst.beoordeeld_door, lijst.beoordeeld_op)
        copies = _copies(self.stores)  # every copy on its own, so the tombstone names each system
        destroyers = [(store, _destroyer(store)) for store in copies]
        keys = {
            store.name: sorted({*store.keys(order.prefixes()[0]), *store.keys(order.prefixes()[1])}) for store in copies
        }
        if item.status is not ItemStatus.BEZIG:
            blocked = [
                f"{destroyer.name}: {why}"
                for store, destroyer in destroyers
                for key in keys[store.name]
                if (why := destroyer.destroy_blocked(key, order)) is not None
            ]
            if blocked:
                waiting_reason = blocked[0] + (f" (and {len(blocked) - 1} more)" if len(blocked) > 1 else "")
                if item.status is not ItemStatus.WACHT:
                    self.catalog.set_item(lijst.id, item.aip_id, ItemStatus.BEZIG, door=principal.agent, op=self._now())
                    self.catalog.set_item(lijst.id, item.aip_id, ItemStatus.WACHT, reden=waiting_reason)
                else:
                    self.catalog.set_item(lijst.id, item.aip_id, ItemStatus.WACHT, reden=waiting_reason)
                report.waiting.append({"aip_id": str(item.aip_id), "reden": waiting_reason})
                return
            planned = {name: len(found) for name, found in keys.items()}
            item = self.catalog.set_item(
                lijst.id,
                item.aip_id,
                ItemStatus.BEZIG,
                door=principal.agent,
                op=self._now(),
                detail={"te_verwijderen": planned},
            )
        deleted: dict[str, int] = {}
        for store, destroyer in destroyers:
            count = 0
            for key in keys[store.name]:
                count += len(destroyer.destroy(key, order))
            deleted[store.name] = count
        now = self._now()
        aip = self.services.catalog.get_aip(item.aip_id)
        if aip.status is not AipStatus.VERNIETIGD:
            self.services.catalog.set_aip_status(item.aip_id, AipStatus.VERNIETIGD, now)
        planned = (
            dict(item.detail.get("te_verwijderen", {})) if isinstance(item.detail.get("te_verwijderen"), dict) else {}
        )
        opslag = {name: {"verwijderd": max(deleted.get(name, 0), int(planned.get(name, 0)))} for name in keys}
        facts = self._facts_or_none(item.aip_id)
        self.catalog.add_tombstone(
            Grafsteen(
                aip_id=item.aip_id,
                record_id=item.record_id,
                bron=aip.source,
                source_key=item.source_key,
                titel=item.titel,
                selectielijst=item.selectielijst,
                versie=item.versie,
                categorie=item.categorie,
                waardering=item.waardering,
                brondatum=item.brondatum,
                archiefactiedatum=item.archiefactiedatum,
                lijst_id=lijst.id,
                goedgekeurd_door=lijst.beoordeeld_door,
                goedgekeurd_op=lijst.beoordeeld_op,
                vernietigd_op=item.op or now,
                content_hash=aip.content_hash,
                bestanden=len(aip.files),
                bytes=aip.payload_bytes,
                opslag=opslag,
            )
        )
        self.catalog.set_item(
            lijst.id, item.aip_id, ItemStatus.UITGEVOERD, uitgevoerd_op=item.op or now, detail={"opslag": opslag}
        )
        report.executed.append(str(item.aip_id))
        self.services.record_event(
            events.VERNIETIGEN,
            EventOutcome.GELUKT,
            item.aip_id,
            lijst=str(lijst.id),
            source_key=item.source_key,
            categorie=f"{item.selectielijst}/{item.categorie}",
            opslag=opslag,
            goedgekeurd_door=lijst.beoordeeld_door,
            facts=bool(facts),
        )

    def _facts_or_none(self, aip_id: UUID) -> Feiten | None:
        try:
            return self.catalog.get_facts(aip_id)
        except NotFound:
            return None

    def transfer_dir(self, lijst_id: UUID) -> Path:
        return self.workdir / "overbrenging" / str(lijst_id)

    def _transfer(self, lijst: Lijst, item: Item, today: date, principal: Principal, report: ExecutionReport) -> None:
        if item.status is not ItemStatus.BEZIG:
            reason = self._recheck(lijst, item, today)
            if reason is not None:
                self._block(lijst, item, reason, principal, report)
                return
            item = self.catalog.set_item(lijst.id, item.aip_id, ItemStatus.BEZIG, door=principal.agent, op=self._now())
        target = self.transfer_dir(lijst.id) / "aips" / str(item.aip_id)
        aip = self.services.catalog.get_aip(item.aip_id)
        ledger = {f.path: f.sha256 for f in aip.files}
        if not (target.is_dir() and not bagcheck.validate_bag(target, ledger=ledger)):
            shutil.rmtree(target, ignore_errors=True)
            self.services.export(item.aip_id, target)
        latest = read_latest(self.services.store, item.aip_id)
        if latest is not None:
            number = latest[0]
            prefix = prefix_of(item.aip_id, number)
            revision_target = self.transfer_dir(lijst.id) / "revisions" / str(item.aip_id) / f"{number:04d}"
            for key in self.services.store.keys(f"{prefix}/"):
                out = revision_target / key[len(prefix) + 1 :]
                out.parent.mkdir(parents=True, exist_ok=True)
                with self.services.store.open(key) as source, open(out, "wb") as sink:
                    shutil.copyfileobj(source, sink)
        self.catalog.set_item(
            lijst.id,
            item.aip_id,
            ItemStatus.UITGEVOERD,
            uitgevoerd_op=item.op or self._now(),
            detail={"map": str(target.relative_to(self.transfer_dir(lijst.id)))},
        )
        report.executed.append(str(item.aip_id))
        self.services.record_event(
            events.OVERBRENGING, EventOutcome.GELUKT, item.aip_id, lijst=str(lijst.id), map=str(target)
        )

    # --- verklaringen ---------------------------------------------------------------------------

    def _verklaring(self, lijst: Lijst) -> Verklaring | None:
        done = [i for i in lijst.items if i.status is ItemStatus.UITGEVOERD]
        if not done:
            return None
        organisation = self.services.settings.organisation
        if lijst.soort is LijstSoort.VERNIETIGING:
            graven = self.catalog.tombstones(lijst_id=lijst.id)
            when = max(g.vernietigd_op for g in graven)
            files = {
                "verklaring-van-vernietiging.pdf": vernietiging_pdf(lijst, graven, organisation=organisation),
                "verklaring-van-vernietiging.csv": vernietiging_csv(lijst, graven),
            }
            folder = self.workdir / "verklaringen" / str(lijst.id)
            locatie = None
        else:
            when = max(i.uitgevoerd_op or lijst.aangemaakt_op for i in done)
            beperkingen = self._beperkingen(lijst, done)
            mappen = {str(i.aip_id): str(i.detail.get("map", "")) for i in done}
            files = {
                "verklaring-van-overbrenging.pdf": overbrenging_pdf(
                    lijst, done, beperkingen, organisation=organisation
                ),
                "verklaring-van-overbrenging.csv": overbrenging_csv(done, mappen, beperkingen),
                "openbaarheidsbeperkingen.csv": beperkingen_csv(beperkingen),
            }
            folder = self.transfer_dir(lijst.id)
            locatie = str(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            path = folder / name
            if not path.exists() or path.read_bytes() != data:
                tmp = path.with_suffix(path.suffix + ".tmp")
                tmp.write_bytes(data)
                os.replace(tmp, path)
        aip_id = self._ingest_verklaring(lijst, folder, list(files), when)
        names = sorted(files)
        verklaring = Verklaring(
            lijst_id=lijst.id,
            soort=lijst.soort,
            aangemaakt_op=when,
            aip_id=aip_id,
            pdf_sha256=fixity.hash_bytes(files[next(n for n in names if n.endswith(".pdf"))]),
            csv_sha256=fixity.hash_bytes(
                files[next(n for n in names if n.startswith("verklaring") and n.endswith(".csv"))]
            ),
            items=len(done),
            locatie=locatie,
        )
        self.catalog.add_verklaring(verklaring)
        return verklaring

    def _beperkingen(self, lijst: Lijst, done: Sequence[Item]) -> list[Beperking]:
        found = []
        for item in done:
            aip = self.services.catalog.get_aip(item.aip_id)
            base = self.transfer_dir(lijst.id) / "aips" / str(item.aip_id)
            for record in aip.records:
                if not record.beperking_code:
                    continue
                einddatum = None
                sidecar = base / record.sidecar_path
                if sidecar.is_file():
                    obj = from_xml(sidecar.read_bytes(), source=str(sidecar))
                    if isinstance(obj, Informatieobject):
                        termijnen = [
                            b.termijn.einddatum for b in obj.beperking_gebruik if b.termijn and b.termijn.einddatum
                        ]
                        einddatum = max((d for d in (parse_datum(t, "eind") for t in termijnen) if d), default=None)
                basis = (
                    parse_datum(record.dekking_eind or record.dekking_begin or "", "eind")
                    if (record.dekking_eind or record.dekking_begin)
                    else None
                )
                vanaf, begrensd = openbaar_vanaf(einddatum, basis)
                found.append(
                    Beperking(
                        aip_id=str(item.aip_id),
                        record_id=str(record.id),
                        kenmerk=record.kenmerk,
                        naam=record.naam,
                        code=record.beperking_code,
                        label=record.beperking_label,
                        einddatum=einddatum,
                        basisdatum=basis,
                        openbaar_vanaf=vanaf,
                        begrensd=begrensd,
                    )
                )
        return found

    def _ingest_verklaring(self, lijst: Lijst, folder: Path, names: Sequence[str], when: datetime) -> UUID | None:
        soort = "vernietiging" if lijst.soort is LijstSoort.VERNIETIGING else "overbrenging"
        kenmerk = f"verklaring-van-{soort}/{lijst.id}"
        day = when.astimezone(UTC).date().isoformat()
        io = Informatieobject(
            identificatie=(Identificatie(kenmerk=kenmerk, bron=KENMERK_BRON),),
            naam=f"Verklaring van {soort} {lijst.id}",
            waardering=Begrip(label="Blijvend te bewaren", code="B", begrippenlijst=LIJST_WAARDERING),
            archiefvormer=(ARCHIEFVORMER_PROVINCIE_LIMBURG,),
            beperking_gebruik=(GEEN_BEPERKING,),
            aggregatieniveau=Begrip(label="Archiefstuk", begrippenlijst=LIJST_AGGREGATIENIVEAU),
            omschrijving=(
                f"{lijst.soort} {lijst.id}, goedgekeurd door {lijst.beoordeeld_door} op "
                f"{lijst.beoordeeld_op.isoformat() if lijst.beoordeeld_op else ''}",
            ),
            dekking_in_tijd=(
                DekkingInTijd(type=Begrip(label="Periode", begrippenlijst=LIJST_DEKKING_IN_TIJD), begindatum=day),
            ),
            event=(
                Event(
                    type=Begrip(label="Creatie", begrippenlijst=LIJST_EVENTTYPE),
                    tijd=when.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat(),
                ),
            ),
        )
        files = []
        for name in names:
            path = folder / name
            files.append(
                SourceFile(
                    path=path,
                    original_path=f"{lijst.id}/{name}",
                    naam=name,
                    size=path.stat().st_size,
                    format=self.services.formats.identify(path),
                )
            )
        package = PackageInput(
            source=BRON_VERKLARING,
            source_key=kenmerk,
            record=RecordInput(
                folder="verklaring", original_name=str(lijst.id), informatieobject=io, files=tuple(files)
            ),
            bag_info={"Edepot-Retention-List": str(lijst.id)},
        )
        receipt = self.services.ingest(
            SubmissionInput(source=BRON_VERKLARING, location=f"retention:{lijst.id}", packages=(package,))
        )
        return receipt.aips[0].aip_id if receipt.aips else None

    # --- reading --------------------------------------------------------------------------------

    def iter_decisions(self, *, waardering: str | None = None, page: int = 1000) -> Iterator[Besluit]:
        offset = 0
        while True:
            found = self.catalog.decisions(waardering=waardering, limit=page, offset=offset)
            yield from found
            if len(found) < page:
                return
            offset += page


def _copies(stores: Sequence[ObjectStore]) -> list[ObjectStore]:
    """The copies of the stores (the members of a Replicas store), each once."""
    try:
        from edepot.storage.replicas import copies_of
    except ImportError:  # pragma: no cover - replicas are optional
        return list(stores)
    found: dict[str, ObjectStore] = {}
    for store in stores:
        for copy in copies_of(store):
            found.setdefault(copy.name, copy)
    return list(found.values())


def _destroyer(store: ObjectStore) -> Any:
    if hasattr(store, "destroy") and hasattr(store, "destroy_blocked"):
        return store
    from edepot.storage.s3_destroyer import destroyer_for

    return destroyer_for(store)


_GEEN_AIP = UUID(int=0)


def _feiten_van(groep: Groep, aanmaakdatum: date) -> Feiten:
    """The engine inputs of a group, for one creation date in it."""
    return Feiten(
        aip_id=_GEEN_AIP,
        record_id=None,
        bron=groep.bron,
        source_key="",
        titel="",
        eigenschappen={},
        mapping_hash="",
        revisie=0,
        categorie=groep.categorie,
        selectielijstklasse=groep.selectielijstklasse,
        aanmaakdatum=aanmaakdatum,
        einddatum=groep.einddatum,
        ander_datumkenmerk=groep.ander_datumkenmerk,
    )


def _besluit_from(data: Mapping[str, Any], number: int) -> Besluit:
    def day(name: str) -> date | None:
        value = data.get(name)
        return date.fromisoformat(value) if value else None

    return Besluit(
        aip_id=UUID(data["aip_id"]),
        record_id=UUID(data["record_id"]) if data.get("record_id") else None,
        waardering=Waardering(data["waardering"]),
        code=data["code"],
        reden=data["reden"],
        besloten_op=datetime.fromisoformat(data["besloten_op"]),
        feiten_revisie=0,  # unknown: the next nightly run decides again and keeps the revisie if unchanged
        regels_hash="",
        revisie=number,
        geschreven=number,
        selectielijst=data.get("selectielijst"),
        versie=data.get("versie"),
        categorie=data.get("categorie"),
        categorie_omschrijving=data.get("categorie_omschrijving"),
        bewaartermijn=data.get("bewaartermijn"),
        afleidingswijze=data.get("afleidingswijze"),
        brondatum=day("brondatum"),
        termijnstart=day("termijnstart"),
        archiefactiedatum=day("archiefactiedatum"),
        overbrengingsdatum=day("overbrengingsdatum"),
        uitgesteld=bool(data.get("uitgesteld")),
    )


def build_retention(services: Any, *, settings: RetentionSettings | None = None) -> RetentionService:
    """The RetentionService for `services`: SQL retention tables in the same database as the SQL
    catalog, the in-memory fake beside an in-memory catalog."""
    from edepot.catalog.memory import InMemoryCatalog
    from edepot.catalog.retention_memory import InMemoryRetentionCatalog

    if isinstance(services.catalog, InMemoryCatalog):
        catalog: RetentionCatalog = InMemoryRetentionCatalog(services.catalog)
    else:
        from edepot.catalog.retention_sql import SqlRetentionCatalog
        from edepot.catalog.sql import create_engine_for

        catalog = SqlRetentionCatalog(create_engine_for(services.settings.catalog_url))
    return RetentionService(services, catalog, settings=settings or RetentionSettings.from_env())
