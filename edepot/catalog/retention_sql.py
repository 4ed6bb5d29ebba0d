"""The RetentionCatalog on the catalog's SQL database (SQLite or PostgreSQL), SQLAlchemy 2 Core.

Uses the engine made by `edepot.catalog.sql.create_engine_for` (so a writing transaction on SQLite
takes the lock with BEGIN IMMEDIATE) and the tables of `retention_tables`, migrated with the rest
of the catalog. Built for a million AIPs: pages by key (never OFFSET over the facts), decisions
written with one executemany per page, proposals made with one INSERT ... SELECT, the
'onbekende categorie' exclusions kept in step with two set-based statements.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    bindparam,
    case,
    cast,
    delete,
    exists,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    text,
    type_coerce,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from edepot.catalog import common
from edepot.catalog.retention_common import counts, exclusion_not_found, item_not_found, list_not_found, stale
from edepot.catalog.retention_tables import (
    retention_decisions,
    retention_exclusions,
    retention_facts,
    retention_list_items,
    retention_lists,
    retention_postponements,
    retention_tombstones,
    retention_verklaringen,
)
from edepot.catalog.sql import SqlTransactions
from edepot.catalog.tables import aips, records
from edepot.errors import Conflict, NotFound
from edepot.model import AipStatus, advance
from edepot.retention_ports import DAGAFHANKELIJK
from edepot.retention_workflow import (
    ITEM_TRANSITIONS,
    LIJST_TRANSITIONS,
    OPEN_ITEM,
    OPEN_LIJST,
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
from edepot.selectielijst import Waardering

F, D, P = retention_facts, retention_decisions, retention_postponements
X, L, I = retention_exclusions, retention_lists, retention_list_items  # noqa: E741
PROPOSE_LOCK = 0x45445052  # PostgreSQL advisory lock: one proposer at a time ("EDPR")


# SQLite page cache for the set-wise steps over every AIP (negative: KiB), 256 MiB instead of 2 MiB
BULK_CACHE_KIB = 262_144


class SqlRetentionCatalog(SqlTransactions):
    @contextlib.contextmanager
    def _bulk(self, *, write: bool) -> Iterator[Connection]:
        """A transaction for a statement over every AIP. On SQLite the connection gets a large page
        cache and in-memory temporary tables and sorts for its duration (the defaults, 2 MiB and a
        file, made the joins over a million rows read the same pages from disk again and again);
        durability is untouched. Set before BEGIN (SQLite refuses temp_store inside a transaction)
        and put back afterwards, so the pooled connection keeps its own values."""
        engine = self._writer if write else self._engine
        if self._postgres:
            with engine.begin() as conn:
                yield conn
            return
        with engine.connect() as conn:
            cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            try:
                (cache,) = cursor.execute("PRAGMA cache_size").fetchone()
                (temp,) = cursor.execute("PRAGMA temp_store").fetchone()
                cursor.execute(f"PRAGMA cache_size={-BULK_CACHE_KIB}")
                cursor.execute("PRAGMA temp_store=MEMORY")
                try:
                    with conn.begin():
                        yield conn
                finally:
                    cursor.execute(f"PRAGMA cache_size={int(cache)}")
                    cursor.execute(f"PRAGMA temp_store={int(temp)}")
            finally:
                cursor.close()

    def _upsert(self, table: Any, keys: Sequence[str]) -> Any:
        """INSERT ... ON CONFLICT (keys) DO UPDATE SET every other column."""
        dialect_insert = postgresql.insert if self._postgres else sqlite.insert
        statement = dialect_insert(table)
        others = {c.name: statement.excluded[c.name] for c in table.columns if c.name not in keys}
        return statement.on_conflict_do_update(index_elements=list(keys), set_=others)

    # facts ------------------------------------------------------------------------------------

    def aips_without_facts(self, limit: int) -> list[AipRef]:
        root = (
            select(records.c.aip_id, records.c.id, records.c.sidecar_path)
            .where(records.c.parent_id.is_(None))
            .subquery()
        )
        query = (
            select(
                aips.c.id,
                aips.c.source,
                aips.c.source_key,
                aips.c.title,
                root.c.id.label("record_id"),
                root.c.sidecar_path,
            )
            .select_from(aips.outerjoin(root, root.c.aip_id == aips.c.id))
            .where(aips.c.status == str(AipStatus.OPGESLAGEN), ~exists().where(F.c.aip_id == aips.c.id))
            .order_by(aips.c.id)
            .limit(limit)
        )
        with self._bulk(write=False) as conn:
            rows = conn.execute(query).all()
        found: dict[UUID, AipRef] = {}
        for r in rows:
            found.setdefault(r.id, AipRef(r.id, r.source, r.source_key, r.title, r.record_id, r.sidecar_path))
        return list(found.values())

    def put_facts(self, rows: Sequence[Feiten]) -> None:
        if not rows:
            return
        with self._write() as conn:
            conn.execute(self._upsert(F, ["aip_id"]), [_facts_values(r) for r in rows])

    def get_facts(self, aip_id: UUID) -> Feiten:
        with self._read() as conn:
            row = conn.execute(select(F).where(F.c.aip_id == aip_id)).one_or_none()
        if row is None:
            raise NotFound(f"AIP {aip_id} has no retention facts", hint="run `edepot retention nightly`")
        return _facts(row._mapping)

    def facts_with_other_mapping(self, mapping_hash: str, after: UUID | None, limit: int) -> list[Feiten]:
        """Keyset pages in aip_id order. The first page first asks whether there is any at all,
        unordered: a scan in table order (0.5 s at 1M on SQLite) instead of a walk of the key index
        with a lookup per row (6 s), which is what a night without a mapping change would pay."""
        other = F.c.mapping_hash != mapping_hash
        query = select(F).where(other).order_by(F.c.aip_id).limit(limit)
        if after is not None:
            query = query.where(F.c.aip_id > after)
        with self._bulk(write=False) as conn:
            if after is None and conn.execute(select(literal(1)).select_from(F).where(other).limit(1)).first() is None:
                return []
            return [_facts(r._mapping) for r in conn.execute(query)]

    # decisions --------------------------------------------------------------------------------

    def facts_needing_decision(
        self, regels_hash: str, after: UUID | None, limit: int
    ) -> list[tuple[Feiten, Besluit | None, Uitstel | None]]:
        """Without their eigenschappen (not needed to decide; `get_facts` has them). Two steps: the
        facts (narrow columns) with a flag for an existing decision or postponement, then those by id."""
        names = [c.name for c in F.columns if c.name not in ("eigenschappen", "invoer")]
        query = (
            select(
                *(F.c[n] for n in names),
                type_coerce(F.c.invoer, Text),
                D.c.aip_id.is_not(None),
                P.c.aip_id.is_not(None),
            )
            .select_from(F.outerjoin(D, D.c.aip_id == F.c.aip_id).outerjoin(P, P.c.aip_id == F.c.aip_id))
            .where(
                or_(
                    D.c.aip_id.is_(None),
                    D.c.feiten_revisie != F.c.revisie,
                    D.c.regels_hash != regels_hash,
                    D.c.code.in_(sorted(DAGAFHANKELIJK)),
                )
            )
            .order_by(F.c.aip_id)
            .limit(limit)
        )
        if after is not None:
            query = query.where(F.c.aip_id > after)
        width = len(names)
        with self._bulk(write=False) as conn:
            if after is None and conn.execute(self._any_needing_decision(regels_hash)).first() is None:
                return []  # a quiet night: one unordered scan instead of the ordered walk of every key
            rows = conn.execute(query).all()
            with_decision = [r[0] for r in rows if r[width + 1]]
            with_postponement = [r[0] for r in rows if r[width + 2]]
            decisions = {d.aip_id: d for d in self._by_ids(conn, D, D.c.aip_id, with_decision, _decision)}
            postponements = {u.aip_id: u for u in self._by_ids(conn, P, P.c.aip_id, with_postponement, _uitstel)}
        result = []
        for r in rows:
            values = dict(zip(names, r[:width], strict=True))
            invoer = r[width]
            values["invoer"] = json.loads(invoer) if invoer and invoer != "{}" else {}
            values["eigenschappen"] = {}
            facts = Feiten(**values)
            result.append((facts, decisions.get(facts.aip_id), postponements.get(facts.aip_id)))
        return result

    @staticmethod
    def _any_needing_decision(regels_hash: str) -> Any:
        """One row if any AIP needs a decision, found in table order (no ORDER BY: no key walk)."""
        return (
            select(literal(1))
            .select_from(F.outerjoin(D, D.c.aip_id == F.c.aip_id))
            .where(_needs_decision(regels_hash))
            .limit(1)
        )

    @staticmethod
    def _by_ids(
        conn: Connection, table: Any, column: Any, ids: Sequence[UUID], build: Callable[[Any], Any]
    ) -> list[Any]:
        found = []
        for start in range(0, len(ids), 500):  # stay below the databases' parameter limits
            chunk = ids[start : start + 500]
            found += [build(r._mapping) for r in conn.execute(select(table).where(column.in_(chunk)))]
        return found

    def save_decisions(self, rows: Sequence[Besluit]) -> None:
        if not rows:
            return
        with self._write() as conn:
            self._bulk_upsert(conn, D, "aip_id", [_decision_row(r) for r in rows])

    def _bulk_upsert(self, conn: Connection, table: Any, key: str, rows: Sequence[tuple[Any, ...]]) -> None:
        """INSERT ... ON CONFLICT (key) DO UPDATE of rows (values in column order) with the driver's
        executemany (see `_driver_rows`). The same SQL runs on SQLite and PostgreSQL."""
        columns = list(table.columns)
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        names = ", ".join(c.name for c in columns)
        updates = ", ".join(f"{c.name} = excluded.{c.name}" for c in columns if c.name != key)
        # table and column names come from our own metadata; every value is a parameter
        values = ", ".join([mark] * len(columns))
        sql = f"INSERT INTO {table.name} ({names}) VALUES ({values}) ON CONFLICT ({key}) DO UPDATE SET {updates}"  # noqa: S608
        conn.exec_driver_sql(sql, _driver_rows(conn, columns, rows))

    def _bulk_insert(self, conn: Connection, table: Any, rows: Sequence[tuple[Any, ...]]) -> None:
        """A plain INSERT of rows (values in column order) with the driver's executemany."""
        columns = list(table.columns)
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        names = ", ".join(c.name for c in columns)
        values = ", ".join([mark] * len(columns))
        sql = f"INSERT INTO {table.name} ({names}) VALUES ({values})"  # noqa: S608 - our own metadata
        conn.exec_driver_sql(sql, _driver_rows(conn, columns, rows))

    # grouped decisions: one engine call per group of equal inputs, written set-wise ------------

    def _groupable(self, regels_hash: str, today: date) -> tuple[Any, list[Any]]:
        """(FROM, WHERE) of the facts that need a decision and can be decided per `Groep`."""
        source = F.outerjoin(D, D.c.aip_id == F.c.aip_id).outerjoin(P, P.c.aip_id == F.c.aip_id)
        conditions = [
            _needs_decision(regels_hash),
            P.c.aip_id.is_(None),
            F.c.vaste_waardering.is_(None),
            cast(F.c.invoer, Text) == "{}",
            F.c.aanmaakdatum.is_not(None),
            F.c.aanmaakdatum <= today,
        ]
        return source, conditions

    def _iso(self, column: Any) -> Any:
        """A date column as YYYY-MM-DD text (SQLite keeps dates as that text already)."""
        if self._postgres:
            return type_coerce(func.to_char(column, "YYYY-MM-DD"), Text)
        return type_coerce(column, Text)

    def _jaar(self, column: Any) -> Any:
        if self._postgres:
            return type_coerce(func.to_char(column, "YYYY"), Text)
        return type_coerce(func.substr(column, 1, 4), Text)

    def _fine(self, source: Any, grenzen: Sequence[date]) -> tuple[Any, list[Any]]:
        """(FROM joined to the temporary table of `Datumgebruik` per coarse key, the fine key: the
        coarse key and the `datumsleutel` of both dates). A coarse key without a row uses exact dates."""
        grof = _grof(grenzen)
        source = source.outerjoin(M, and_(*(m == k for m, k in zip(_M_KEYS, grof, strict=True))))

        def sleutel(mode: Any, column: Any) -> Any:
            return case(
                (mode == "niet", literal("", Text)),
                (mode == "jaar", func.coalesce(self._jaar(column), "")),
                else_=func.coalesce(self._iso(column), ""),
            )

        return source, [*grof, sleutel(M.c.eind, F.c.einddatum), sleutel(M.c.ander, F.c.ander_datumkenmerk)]

    def _put_gebruik(self, conn: Connection, gebruik: Mapping[Grofsleutel, tuple[str, str]]) -> None:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {M.name}")
        M.create(conn)
        rows = [(*grof, eind, ander) for grof, (eind, ander) in gebruik.items() if (eind, ander) != ("datum", "datum")]
        if rows:
            self._bulk_insert(conn, M, rows)

    def decision_groups(
        self,
        regels_hash: str,
        grenzen: Sequence[date],
        today: date,
        gebruik: Mapping[Grofsleutel, tuple[str, str]] | None = None,
    ) -> list[Groep]:
        source, conditions = self._groupable(regels_hash, today)
        if gebruik is None:
            keys = [*_grof(grenzen), literal("", Text), literal("", Text)]
        else:
            source, keys = self._fine(source, grenzen)
        labelled = [k.label(f"k{i}") for i, k in enumerate(keys)]
        query = (
            select(
                *labelled,
                func.min(F.c.einddatum),
                func.min(F.c.ander_datumkenmerk),
                func.min(F.c.aanmaakdatum),
                func.max(F.c.aanmaakdatum),
                func.count(),
            )
            .select_from(source)
            .where(*conditions)
            .group_by(*(literal_column(f"k{i}") for i in range(len(keys))))
        )
        with self._bulk(write=False) as conn:
            if gebruik is not None:
                self._put_gebruik(conn, gebruik)
            rows = conn.execute(query).all()
            if gebruik is not None:
                M.drop(conn)
        return [
            Groep(
                bron=r[0],
                categorie=r[1] or None,
                selectielijstklasse=r[2] or None,
                tijdvak=int(r[3]),
                eind_sleutel=r[4],
                ander_sleutel=r[5],
                einddatum=r[6],
                ander_datumkenmerk=r[7],
                eerste=r[8],
                laatste=r[9],
                aantal=int(r[10]),
            )
            for r in rows
        ]

    def save_group_decisions(
        self,
        regels_hash: str,
        grenzen: Sequence[date],
        today: date,
        besluiten: Sequence[tuple[Groep, Besluit]],
        *,
        gebruik: Mapping[Grofsleutel, tuple[str, str]],
        besloten_op: datetime,
    ) -> tuple[int, int]:
        """The groups' decisions go into a temporary table (G); each groupable AIP's fine group key
        (coarse key and the `datumsleutel` of both dates) is materialised once, with the facts the
        decision takes from the AIP, into another (K), by one INSERT ... SELECT; both are analysed;
        then one INSERT ... SELECT ... ON CONFLICT joins K to G on plain columns. (Joining the facts
        to G on the computed keys directly, CASE over to_char, left PostgreSQL without statistics:
        it estimated a handful of rows and planned loops that did not finish at 1M, issue #5.)
        Where a group's brondatum is each AIP's own date (`brondatum_veld`), the brondatum and the
        reason's date are taken from the AIP's facts (the reason is kept split around that date).
        One transaction: all or nothing."""
        if not besluiten:
            return 0, 0
        besloten_op = common.utc(besloten_op, "besloten_op")
        source, conditions = self._groupable(regels_hash, today)
        source, keys = self._fine(source, grenzen)
        facts = (F.c.aip_id, F.c.record_id, F.c.revisie, F.c.einddatum, F.c.ander_datumkenmerk)
        materialise = insert(K).from_select(
            [c.name for c in K.columns], select(*facts, *keys).select_from(source).where(*conditions)
        )
        joined = K.join(G, and_(*(g == k for g, k in zip(_G_KEYS, _K_KEYS, strict=True)))).outerjoin(
            D, D.c.aip_id == K.c.aip_id
        )
        brondatum = case(
            (G.c.bron_uit == "E", K.c.einddatum), (G.c.bron_uit == "A", K.c.ander_datumkenmerk), else_=G.c.brondatum
        )
        reden = case(
            (G.c.bron_uit == "E", G.c.reden + self._iso(K.c.einddatum) + G.c.reden_na),
            (G.c.bron_uit == "A", G.c.reden + self._iso(K.c.ander_datumkenmerk) + G.c.reden_na),
            else_=G.c.reden,
        )
        content = {n: G.c[n] for n in _GROUP_CONTENT} | {"brondatum": brondatum, "reden": reden}
        same = and_(
            D.c.waardering == G.c.waardering,
            D.c.code == G.c.code,
            D.c.reden == reden,
            D.c.uitgesteld == G.c.uitgesteld,
            *(
                D.c[n].is_not_distinct_from(content[n])
                for n in _GROUP_CONTENT
                if n not in ("waardering", "code", "reden", "uitgesteld", "categorie_omschrijving")
            ),
        )
        columns = {
            "aip_id": K.c.aip_id,
            "record_id": K.c.record_id,
            "besloten_op": case((same, D.c.besloten_op), else_=literal(besloten_op, D.c.besloten_op.type)),
            "feiten_revisie": K.c.revisie,
            "regels_hash": literal(regels_hash, D.c.regels_hash.type),
            "revisie": case((D.c.aip_id.is_(None), 1), (same, D.c.revisie), else_=D.c.revisie + 1),
            "geschreven": func.coalesce(D.c.geschreven, 0),
            **content,
        }
        names = [c.name for c in D.columns]
        rows = select(*(columns[n] for n in names)).select_from(joined)
        dialect_insert = postgresql.insert if self._postgres else sqlite.insert
        statement = dialect_insert(D).from_select(names, rows)
        statement = statement.on_conflict_do_update(
            index_elements=["aip_id"], set_={n: statement.excluded[n] for n in names if n != "aip_id"}
        )
        # changed: the rows that took this run's besloten_op (an unchanged decision keeps its own), counted
        # on the decisions alone afterwards instead of running the join a second time before
        tally = select(func.count()).where(D.c.besloten_op == literal(besloten_op, D.c.besloten_op.type))
        with self._bulk(write=True) as conn:
            self._put_gebruik(conn, gebruik)
            for table in (G, K):
                conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table.name}")
                table.create(conn)
            self._bulk_insert(conn, G, [_group_row(groep, besluit, gebruik) for groep, besluit in besluiten])
            conn.execute(materialise)
            if self._postgres:  # temporary tables are never auto-analysed: without this, no plan to trust
                conn.exec_driver_sql(f"ANALYZE {G.name}")
                conn.exec_driver_sql(f"ANALYZE {K.name}")
            before = conn.execute(tally).scalar_one()  # 0 unless this besloten_op was used already
            conn.execute(statement)
            changed = conn.execute(tally).scalar_one() - before
            for table in (K, G, M):
                table.drop(conn)
        return sum(groep.aantal for groep, _ in besluiten), int(changed)

    def get_decision(self, aip_id: UUID) -> Besluit:
        with self._read() as conn:
            row = conn.execute(select(D).where(D.c.aip_id == aip_id)).one_or_none()
        if row is None:
            raise NotFound(f"AIP {aip_id} has no retention decision", hint="run `edepot retention nightly`")
        return _decision(row._mapping)

    def decisions(
        self, *, waardering: str | None = None, code: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[Besluit]:
        common.check_page(limit, offset)
        query = select(D).order_by(D.c.aip_id).limit(limit).offset(offset)
        if waardering is not None:
            query = query.where(D.c.waardering == waardering)
        if code is not None:
            query = query.where(D.c.code == code)
        with self._read() as conn:
            return [_decision(r._mapping) for r in conn.execute(query)]

    def decision_counts(self) -> dict[str, int]:
        with self._read() as conn:
            rows = conn.execute(select(D.c.waardering, func.count()).group_by(D.c.waardering)).all()
        return {str(w): int(n) for w, n in rows}

    def invalidate_decision(self, aip_id: UUID) -> None:
        with self._write() as conn:
            conn.execute(update(D).where(D.c.aip_id == aip_id).values(regels_hash=""))

    def unwritten_decisions(self, after: UUID | None, limit: int) -> list[Besluit]:
        query = (
            select(D)
            .where(D.c.revisie > D.c.geschreven, D.c.waardering.in_([str(Waardering.B), str(Waardering.V)]))
            .order_by(D.c.aip_id)
            .limit(limit)
        )
        if after is not None:
            query = query.where(D.c.aip_id > after)
        with self._read() as conn:
            return [_decision(r._mapping) for r in conn.execute(query)]

    def mark_written(self, aip_id: UUID, revisie: int) -> None:
        with self._write() as conn:
            found = conn.execute(
                update(D).where(D.c.aip_id == aip_id, D.c.geschreven < revisie).values(geschreven=revisie)
            ).rowcount
            if not found and conn.execute(select(D.c.aip_id).where(D.c.aip_id == aip_id)).first() is None:
                raise NotFound(f"AIP {aip_id} has no retention decision")

    def mark_all_written(self, rows: Sequence[tuple[UUID, int]]) -> None:
        if not rows:
            return
        statement = (
            update(D)
            .where(D.c.aip_id == bindparam("b_aip"), D.c.geschreven < bindparam("b_revisie"))
            .values(geschreven=bindparam("b_revisie"))
        )
        with self._write() as conn:
            conn.execute(statement, [{"b_aip": aip_id, "b_revisie": revisie} for aip_id, revisie in rows])

    # exclusions and postponements -------------------------------------------------------------

    def add_exclusion(self, exclusion: Uitsluiting) -> None:
        try:
            with self._write() as conn:
                conn.execute(insert(X).values(_exclusion_values(exclusion)))
        except IntegrityError as exc:
            raise Conflict(f"exclusion {exclusion.id} exists already") from exc

    def lift_exclusion(self, exclusion_id: UUID, *, door: str, op: datetime, reden: str) -> Uitsluiting:
        op = common.utc(op, "op")
        with self._write() as conn:
            conn.execute(
                update(X)
                .where(X.c.id == exclusion_id, X.c.opgeheven_op.is_(None))
                .values(opgeheven_door=door, opgeheven_op=op, opheffing_reden=reden)
            )
            row = conn.execute(select(X).where(X.c.id == exclusion_id)).one_or_none()
        if row is None:
            raise exclusion_not_found(exclusion_id)
        return _exclusion(row._mapping)

    def exclusions(
        self, *, aip_id: UUID | None = None, open_only: bool = False, limit: int = 1000
    ) -> list[Uitsluiting]:
        query = select(X).order_by(X.c.op, X.c.id).limit(limit)
        if aip_id is not None:
            query = query.where(X.c.aip_id == aip_id)
        if open_only:
            query = query.where(X.c.opgeheven_op.is_(None))
        with self._read() as conn:
            return [_exclusion(r._mapping) for r in conn.execute(query)]

    def exclusion_counts(self) -> dict[str, int]:
        query = select(X.c.soort, func.count()).where(X.c.opgeheven_op.is_(None)).group_by(X.c.soort)
        with self._read() as conn:
            return {str(s): int(n) for s, n in conn.execute(query).all()}

    def sync_unknown_category(self, *, door: str, op: datetime, new_id: Callable[[], UUID]) -> tuple[int, int]:
        op = common.utc(op, "op")
        auto = str(UitsluitingSoort.ONBEKENDE_CATEGORIE)
        open_auto = and_(X.c.soort == auto, X.c.opgeheven_op.is_(None))
        with self._bulk(write=True) as conn:
            missing = conn.execute(
                select(D.c.aip_id, D.c.reden)
                .where(D.c.waardering == str(Waardering.N), ~exists().where(X.c.aip_id == D.c.aip_id, open_auto))
                .order_by(D.c.aip_id)
            ).all()
            if missing:
                conn.execute(
                    insert(X),
                    [
                        {
                            "id": new_id(),
                            "aip_id": aip_id,
                            "soort": auto,
                            "reden": reden,
                            "door": door,
                            "op": op,
                            "opgeheven_door": None,
                            "opgeheven_op": None,
                            "opheffing_reden": None,
                        }
                        for aip_id, reden in missing
                    ],
                )
            still_n = exists().where(D.c.aip_id == X.c.aip_id, D.c.waardering == str(Waardering.N))
            lifted = conn.execute(
                update(X)
                .where(open_auto, ~still_n)
                .values(opgeheven_door=door, opgeheven_op=op, opheffing_reden="the category is known now")
            ).rowcount
        return len(missing), int(lifted or 0)

    def postpone(self, uitstel: Uitstel) -> None:
        values = {
            "aip_id": uitstel.aip_id,
            "archiefactiedatum": uitstel.archiefactiedatum,
            "reden": uitstel.reden,
            "door": uitstel.door,
            "op": common.utc(uitstel.op, "op"),
        }
        with self._write() as conn:
            conn.execute(self._upsert(P, ["aip_id"]), [values])

    def postponement(self, aip_id: UUID) -> Uitstel | None:
        with self._read() as conn:
            row = conn.execute(select(P).where(P.c.aip_id == aip_id)).one_or_none()
        return _uitstel(row._mapping) if row else None

    # proposal lists ---------------------------------------------------------------------------

    def propose(
        self, soort: LijstSoort, peildatum: date, *, door: str, op: datetime, new_id: Callable[[], UUID]
    ) -> tuple[Lijst | None, int]:
        op = common.utc(op, "op")
        on_open_list = (
            exists()
            .select_from(I.join(L, L.c.id == I.c.lijst_id))
            .where(
                I.c.aip_id == D.c.aip_id,
                L.c.status.in_([str(s) for s in OPEN_LIJST]),
                I.c.status.in_([str(s) for s in OPEN_ITEM]),
            )
        )
        excluded = exists().where(X.c.aip_id == D.c.aip_id, X.c.opgeheven_op.is_(None))
        conditions = [aips.c.status == str(AipStatus.OPGESLAGEN), ~excluded, ~on_open_list]
        if soort is LijstSoort.VERNIETIGING:
            datum = D.c.archiefactiedatum
            conditions += [D.c.waardering == str(Waardering.V), D.c.uitgesteld.is_(False), datum <= peildatum]
        else:
            datum = D.c.overbrengingsdatum
            transferred = (
                exists()
                .select_from(I.join(L, L.c.id == I.c.lijst_id))
                .where(
                    I.c.aip_id == D.c.aip_id,
                    L.c.soort == str(LijstSoort.OVERBRENGING),
                    I.c.status == str(ItemStatus.UITGEVOERD),
                )
            )
            conditions += [D.c.waardering == str(Waardering.B), datum <= peildatum, ~transferred]
        with self._bulk(write=True) as conn:
            if self._postgres:
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PROPOSE_LOCK})
            concept = conn.execute(
                select(L.c.id)
                .where(L.c.soort == str(soort), L.c.status == str(LijstStatus.CONCEPT))
                .order_by(L.c.aangemaakt_op)
                .limit(1)
            ).scalar_one_or_none()
            made = concept is None
            if concept is None:
                concept = new_id()
                conn.execute(
                    insert(L).values(
                        id=concept,
                        soort=str(soort),
                        status=str(LijstStatus.CONCEPT),
                        aangemaakt_op=op,
                        aangemaakt_door=door,
                        peildatum=peildatum,
                        revisie=1,
                    )
                )
            empty_detail = cast(literal("{}"), JSON) if self._postgres else literal("{}")
            rows = (
                select(
                    literal(concept, I.c.lijst_id.type),
                    D.c.aip_id,
                    D.c.record_id,
                    F.c.source_key,
                    F.c.titel,
                    D.c.selectielijst,
                    D.c.versie,
                    D.c.categorie,
                    D.c.waardering,
                    D.c.brondatum,
                    datum,
                    D.c.revisie,
                    literal(str(ItemStatus.VOORGESTELD)),
                    empty_detail,
                )
                .select_from(D.join(aips, aips.c.id == D.c.aip_id).join(F, F.c.aip_id == D.c.aip_id))
                .where(*conditions)
            )
            already = exists().where(I.c.lijst_id == concept, I.c.aip_id == D.c.aip_id)
            # e.g. removed from this very list: waits for the next one. In key order, so both indexes
            # of the items grow at their end instead of at a random place per row.
            rows = rows.where(~already).order_by(D.c.aip_id)
            columns = [
                "lijst_id", "aip_id", "record_id", "source_key", "titel", "selectielijst", "versie", "categorie",
                "waardering", "brondatum", "archiefactiedatum", "besluit_revisie", "status", "detail",
            ]  # fmt: skip
            count = select(func.count()).select_from(I).where(I.c.lijst_id == concept)
            before = 0 if made else int(conn.execute(count).scalar_one())
            conn.execute(insert(I).from_select(columns, rows))
            added = int(conn.execute(count).scalar_one()) - before  # rowcount of INSERT ... SELECT varies by driver
            if added:
                conn.execute(update(L).where(L.c.id == concept).values(revisie=L.c.revisie + 1, peildatum=peildatum))
            elif made:
                conn.execute(delete(L).where(L.c.id == concept))  # nothing due: no empty list
                concept = None
        return (self._header(concept) if concept is not None else None), added

    def _header(self, lijst_id: UUID) -> Lijst:
        """A list with its item counts, without its items (a proposal list may hold a million)."""
        with self._read() as conn:
            row = conn.execute(select(L).where(L.c.id == lijst_id)).one_or_none()
            if row is None:
                raise list_not_found(lijst_id)
            tally = conn.execute(
                select(I.c.status, func.count()).where(I.c.lijst_id == lijst_id).group_by(I.c.status)
            ).all()
        return _lijst(row._mapping, items=(), tellingen={str(st): int(n) for st, n in tally})

    def get_list(self, lijst_id: UUID) -> Lijst:
        with self._read() as conn:
            row = conn.execute(select(L).where(L.c.id == lijst_id)).one_or_none()
            if row is None:
                raise list_not_found(lijst_id)
            items = tuple(
                _item(r._mapping)
                for r in conn.execute(select(I).where(I.c.lijst_id == lijst_id).order_by(I.c.source_key, I.c.aip_id))
            )
        return _lijst(row._mapping, items=items, tellingen=counts(items))

    def list_header(self, lijst_id: UUID) -> Lijst:
        return self._header(lijst_id)

    def list_items(self, lijst_id: UUID, *, limit: int, offset: int = 0) -> list[Item]:
        query = select(I).where(I.c.lijst_id == lijst_id).order_by(I.c.source_key, I.c.aip_id)
        with self._read() as conn:
            if conn.execute(select(L.c.id).where(L.c.id == lijst_id)).first() is None:
                raise list_not_found(lijst_id)
            return [_item(r._mapping) for r in conn.execute(query.limit(limit).offset(offset))]

    def lists(self, *, soort: LijstSoort | None = None, status: LijstStatus | None = None) -> list[Lijst]:
        query = select(L).order_by(L.c.aangemaakt_op.desc(), L.c.id.desc())
        if soort is not None:
            query = query.where(L.c.soort == str(soort))
        if status is not None:
            query = query.where(L.c.status == str(status))
        with self._read() as conn:
            rows = conn.execute(query).all()
            tallies: dict[UUID, dict[str, int]] = {}
            for lijst_id, item_status, n in conn.execute(
                select(I.c.lijst_id, I.c.status, func.count()).group_by(I.c.lijst_id, I.c.status)
            ):
                tallies.setdefault(lijst_id, {})[str(item_status)] = int(n)
        return [_lijst(r._mapping, items=(), tellingen=tallies.get(r.id, {})) for r in rows]

    def transition_list(
        self, lijst_id: UUID, new: LijstStatus, *, expected_revisie: int | None = None, **velden: object
    ) -> Lijst:
        values: dict[str, Any] = {k: (common.utc(v, k) if isinstance(v, datetime) else v) for k, v in velden.items()}
        with self._write() as conn:
            row = conn.execute(
                select(L.c.status, L.c.revisie).where(L.c.id == lijst_id).with_for_update()
            ).one_or_none()
            if row is None:
                raise list_not_found(lijst_id)
            if expected_revisie is not None and row.revisie != expected_revisie:
                raise stale(lijst_id, expected_revisie, row.revisie)
            status = advance(LIJST_TRANSITIONS, LijstStatus(row.status), new)
            conn.execute(
                update(L).where(L.c.id == lijst_id).values(status=str(status), revisie=row.revisie + 1, **values)
            )
        return self.get_list(lijst_id)

    def set_item(
        self,
        lijst_id: UUID,
        aip_id: UUID,
        status: ItemStatus,
        *,
        reden: str | None = None,
        door: str | None = None,
        op: datetime | None = None,
        uitgevoerd_op: datetime | None = None,
        detail: dict[str, object] | None = None,
        bump: bool = False,
    ) -> Item:
        where = and_(I.c.lijst_id == lijst_id, I.c.aip_id == aip_id)
        with self._write() as conn:
            row = conn.execute(select(I).where(where).with_for_update()).one_or_none()
            if row is None:
                if conn.execute(select(L.c.id).where(L.c.id == lijst_id)).first() is None:
                    raise list_not_found(lijst_id)
                raise item_not_found(lijst_id, aip_id)
            if status != row.status:
                advance(ITEM_TRANSITIONS, ItemStatus(row.status), status)
            values: dict[str, Any] = {"status": str(status)}
            if reden is not None:
                values["reden"] = reden
            if door is not None:
                values["door"] = door
            if op is not None:
                values["op"] = common.utc(op, "op")
            if uitgevoerd_op is not None:
                values["uitgevoerd_op"] = common.utc(uitgevoerd_op, "uitgevoerd_op")
            if detail is not None:
                values["detail"] = detail
            conn.execute(update(I).where(where).values(**values))
            if bump:
                conn.execute(update(L).where(L.c.id == lijst_id).values(revisie=L.c.revisie + 1))
            changed = conn.execute(select(I).where(where)).one()
        return _item(changed._mapping)

    def open_items(self, aip_id: UUID) -> list[Item]:
        query = (
            select(I)
            .select_from(I.join(L, L.c.id == I.c.lijst_id))
            .where(
                I.c.aip_id == aip_id,
                L.c.status.in_([str(s) for s in OPEN_LIJST]),
                I.c.status.in_([str(s) for s in OPEN_ITEM]),
            )
        )
        with self._read() as conn:
            return [_item(r._mapping) for r in conn.execute(query)]

    # tombstones and verklaringen ----------------------------------------------------------------

    def add_tombstone(self, grafsteen: Grafsteen) -> None:
        values = _tombstone_values(grafsteen)
        with self._write() as conn:
            if (
                conn.execute(
                    select(retention_tombstones.c.aip_id).where(retention_tombstones.c.aip_id == grafsteen.aip_id)
                ).first()
                is None
            ):
                conn.execute(insert(retention_tombstones).values(values))

    def tombstones(self, *, lijst_id: UUID | None = None) -> list[Grafsteen]:
        t = retention_tombstones
        query = select(t).order_by(t.c.source_key, t.c.aip_id)
        if lijst_id is not None:
            query = query.where(t.c.lijst_id == lijst_id)
        with self._read() as conn:
            return [_tombstone(r._mapping) for r in conn.execute(query)]

    def add_verklaring(self, verklaring: Verklaring) -> None:
        values = {
            "lijst_id": verklaring.lijst_id,
            "soort": str(verklaring.soort),
            "aangemaakt_op": common.utc(verklaring.aangemaakt_op, "aangemaakt_op"),
            "aip_id": verklaring.aip_id,
            "pdf_sha256": verklaring.pdf_sha256,
            "csv_sha256": verklaring.csv_sha256,
            "items": verklaring.items,
            "locatie": verklaring.locatie,
        }
        with self._write() as conn:
            conn.execute(self._upsert(retention_verklaringen, ["lijst_id"]), [values])

    def get_verklaring(self, lijst_id: UUID) -> Verklaring | None:
        v = retention_verklaringen
        with self._read() as conn:
            row = conn.execute(select(v).where(v.c.lijst_id == lijst_id)).one_or_none()
        if row is None:
            return None
        return Verklaring(
            lijst_id=row.lijst_id,
            soort=LijstSoort(row.soort),
            aangemaakt_op=row.aangemaakt_op,
            aip_id=row.aip_id,
            pdf_sha256=row.pdf_sha256,
            csv_sha256=row.csv_sha256,
            items=row.items,
            locatie=row.locatie,
        )

    def clear(self) -> None:
        """Remove every retention row (tests and benchmarks only)."""
        with self._write() as conn:
            for table in (I, L, retention_tombstones, retention_verklaringen, X, P, D, F):
                conn.execute(delete(table))


# grouped decisions: the temporary table and the key ----------------------------------------------

_GROUP_CONTENT = (
    "waardering", "code", "reden", "selectielijst", "versie", "categorie", "categorie_omschrijving", "bewaartermijn",
    "afleidingswijze", "brondatum", "termijnstart", "archiefactiedatum", "overbrengingsdatum", "uitgesteld",
)  # fmt: skip

G = Table(
    "retention_groep_tmp",
    MetaData(),
    Column("k_bron", String(50), nullable=False),
    Column("k_categorie", Text, nullable=False),
    Column("k_selectielijstklasse", Text, nullable=False),
    Column("k_tijdvak", Integer, nullable=False),
    Column("k_eind", Text, nullable=False),
    Column("k_ander", Text, nullable=False),
    Column("bron_uit", String(1), nullable=True),  # E: each AIP's einddatum is its brondatum, A: its ander_datumkenmerk
    Column("reden_na", Text, nullable=True),  # with bron_uit: the reason after the brondatum (`reden` before it)
    *(Column(n, D.c[n].type, nullable=True) for n in _GROUP_CONTENT),
    Index("ix_retention_groep_tmp_sleutel", "k_categorie", "k_eind", "k_bron"),
    prefixes=["TEMPORARY"],
)
_G_KEYS = (G.c.k_bron, G.c.k_categorie, G.c.k_selectielijstklasse, G.c.k_tijdvak, G.c.k_eind, G.c.k_ander)

K = Table(  # each groupable AIP's fine group key, as plain columns, with what its decision takes from its facts
    "retention_sleutel_tmp",
    MetaData(),
    Column("aip_id", F.c.aip_id.type, nullable=False),
    Column("record_id", F.c.record_id.type, nullable=True),
    Column("revisie", Integer, nullable=False),
    Column("einddatum", F.c.einddatum.type, nullable=True),
    Column("ander_datumkenmerk", F.c.ander_datumkenmerk.type, nullable=True),
    Column("k_bron", String(50), nullable=False),
    Column("k_categorie", Text, nullable=False),
    Column("k_selectielijstklasse", Text, nullable=False),
    Column("k_tijdvak", Integer, nullable=False),
    Column("k_eind", Text, nullable=False),
    Column("k_ander", Text, nullable=False),
    prefixes=["TEMPORARY"],
)
_K_KEYS = (K.c.k_bron, K.c.k_categorie, K.c.k_selectielijstklasse, K.c.k_tijdvak, K.c.k_eind, K.c.k_ander)

M = Table(  # the `Datumgebruik` of the two dates per coarse key, where it is not 'datum' for both
    "retention_gebruik_tmp",
    MetaData(),
    Column("k_bron", String(50), nullable=False),
    Column("k_categorie", Text, nullable=False),
    Column("k_selectielijstklasse", Text, nullable=False),
    Column("k_tijdvak", Integer, nullable=False),
    Column("eind", String(5), nullable=False),
    Column("ander", String(5), nullable=False),
    Index("ix_retention_gebruik_tmp_sleutel", "k_categorie", "k_bron", "k_tijdvak"),
    prefixes=["TEMPORARY"],
)
_M_KEYS = (M.c.k_bron, M.c.k_categorie, M.c.k_selectielijstklasse, M.c.k_tijdvak)


def _needs_decision(regels_hash: str) -> Any:
    return or_(
        D.c.aip_id.is_(None),
        D.c.feiten_revisie != F.c.revisie,
        D.c.regels_hash != regels_hash,
        D.c.code.in_(sorted(DAGAFHANKELIJK)),
    )


def _tijdvak(grenzen: Sequence[date]) -> Any:
    """SQL for `retention_workflow.tijdvak(aanmaakdatum, grenzen)`."""
    expression: Any = literal(0, Integer)
    for grens in grenzen:
        expression = expression + case((F.c.aanmaakdatum >= grens, 1), else_=0)
    return expression


def _grof(grenzen: Sequence[date]) -> list[Any]:
    """The coarse key (`Groep.grof`): '' for a missing category or klasse is the same engine input as
    NULL (the engine treats both as absent)."""
    return [
        F.c.bron,
        func.coalesce(F.c.categorie, ""),
        func.coalesce(F.c.selectielijstklasse, ""),
        _tijdvak(grenzen),
    ]


def _group_row(groep: Groep, b: Besluit, gebruik: Mapping[Grofsleutel, tuple[str, str]]) -> tuple[Any, ...]:
    veld = brondatum_veld(gebruik.get(groep.grof(), ("datum", "datum")))
    bron_uit = reden_na = None
    reden = b.reden
    if veld is not None and b.brondatum is not None:
        bron_uit = "E" if veld == "einddatum" else "A"
        reden, _, reden_na = b.reden.partition(b.brondatum.isoformat())
    return (
        *groep.grof(),
        groep.eind_sleutel,
        groep.ander_sleutel,
        bron_uit,
        reden_na,
        str(b.waardering),
        b.code,
        reden,
        *_content(b),
    )


def _driver_rows(conn: Connection, columns: Sequence[Any], rows: Sequence[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows converted by each column's bind processor, run once per distinct value (dates and the
    decision time repeat a lot), which is several times cheaper than the statement machinery."""
    dialect = conn.dialect
    values_by_column: list[list[Any]] = [list(v) for v in zip(*rows, strict=True)]
    for i, column in enumerate(columns):
        process = column.type.dialect_impl(dialect).bind_processor(dialect)
        if process is None:
            continue
        done: dict[Any, Any] = {}
        converted: list[Any] = []
        for value in values_by_column[i]:
            if value is None:
                converted.append(None)
                continue
            try:
                converted.append(done[value])
            except (KeyError, TypeError):
                result = process(value)
                with contextlib.suppress(TypeError):  # unhashable (JSON): not remembered
                    done[value] = result
                converted.append(result)
        values_by_column[i] = converted
    return list(zip(*values_by_column, strict=True))


# rows <-> values --------------------------------------------------------------------------------


def _facts_values(f: Feiten) -> dict[str, Any]:
    return {
        "aip_id": f.aip_id,
        "record_id": f.record_id,
        "bron": f.bron,
        "source_key": f.source_key,
        "titel": f.titel,
        "eigenschappen": f.eigenschappen,
        "mapping_hash": f.mapping_hash,
        "revisie": f.revisie,
        "categorie": f.categorie,
        "selectielijstklasse": f.selectielijstklasse,
        "aanmaakdatum": f.aanmaakdatum,
        "einddatum": f.einddatum,
        "ander_datumkenmerk": f.ander_datumkenmerk,
        "vaste_waardering": f.vaste_waardering,
        "invoer": f.invoer,
    }


def _facts(m: Any) -> Feiten:
    return Feiten(
        aip_id=m["aip_id"],
        record_id=m["record_id"],
        bron=m["bron"],
        source_key=m["source_key"],
        titel=m["titel"],
        eigenschappen=m["eigenschappen"] or {},
        mapping_hash=m["mapping_hash"],
        revisie=m["revisie"],
        categorie=m["categorie"],
        selectielijstklasse=m["selectielijstklasse"],
        aanmaakdatum=m["aanmaakdatum"],
        einddatum=m["einddatum"],
        ander_datumkenmerk=m["ander_datumkenmerk"],
        vaste_waardering=m["vaste_waardering"],
        invoer=m["invoer"] or {},
    )


_DECISION_FIELDS = tuple(c.name for c in D.columns)


def _decision_values(b: Besluit) -> dict[str, Any]:
    values = {name: getattr(b, name) for name in _DECISION_FIELDS}
    values["waardering"] = str(b.waardering)
    values["besloten_op"] = common.utc(b.besloten_op, "besloten_op")
    return values


def _decision_row(b: Besluit) -> tuple[Any, ...]:
    """The decision's values in the column order of retention_decisions."""
    return (
        b.aip_id,
        b.record_id,
        str(b.waardering),
        b.code,
        b.reden,
        common.utc(b.besloten_op, "besloten_op"),
        b.feiten_revisie,
        b.regels_hash,
        b.revisie,
        b.geschreven,
        *_content(b),
    )


def _content(b: Besluit) -> tuple[Any, ...]:
    """What the selectielijst decided, in the column order that ends both retention_decisions and
    the grouped decisions' table."""
    return (
        b.selectielijst,
        b.versie,
        b.categorie,
        b.categorie_omschrijving,
        b.bewaartermijn,
        b.afleidingswijze,
        b.brondatum,
        b.termijnstart,
        b.archiefactiedatum,
        b.overbrengingsdatum,
        b.uitgesteld,
    )


assert [c.name for c in D.columns] == [
    "aip_id", "record_id", "waardering", "code", "reden", "besloten_op", "feiten_revisie", "regels_hash", "revisie",
    "geschreven", "selectielijst", "versie", "categorie", "categorie_omschrijving", "bewaartermijn", "afleidingswijze",
    "brondatum", "termijnstart", "archiefactiedatum", "overbrengingsdatum", "uitgesteld",
]  # fmt: skip


def _decision(m: Any) -> Besluit:
    values = {name: m[name] for name in _DECISION_FIELDS}
    values["waardering"] = Waardering(values["waardering"])
    values["uitgesteld"] = bool(values["uitgesteld"])
    return Besluit(**values)


def _uitstel(m: Any) -> Uitstel:
    return Uitstel(
        aip_id=m["aip_id"], archiefactiedatum=m["archiefactiedatum"], reden=m["reden"], door=m["door"], op=m["op"]
    )


def _exclusion_values(u: Uitsluiting) -> dict[str, Any]:
    return {
        "id": u.id,
        "aip_id": u.aip_id,
        "soort": str(u.soort),
        "reden": u.reden,
        "door": u.door,
        "op": common.utc(u.op, "op"),
        "opgeheven_door": u.opgeheven_door,
        "opgeheven_op": common.utc(u.opgeheven_op, "opgeheven_op") if u.opgeheven_op else None,
        "opheffing_reden": u.opheffing_reden,
    }


def _exclusion(m: Any) -> Uitsluiting:
    return Uitsluiting(
        id=m["id"],
        aip_id=m["aip_id"],
        soort=UitsluitingSoort(m["soort"]),
        reden=m["reden"],
        door=m["door"],
        op=m["op"],
        opgeheven_door=m["opgeheven_door"],
        opgeheven_op=m["opgeheven_op"],
        opheffing_reden=m["opheffing_reden"],
    )


def _lijst(m: Any, *, items: tuple[Item, ...], tellingen: dict[str, int]) -> Lijst:
    return Lijst(
        id=m["id"],
        soort=LijstSoort(m["soort"]),
        status=LijstStatus(m["status"]),
        aangemaakt_op=m["aangemaakt_op"],
        aangemaakt_door=m["aangemaakt_door"],
        peildatum=m["peildatum"],
        revisie=m["revisie"],
        ingediend_op=m["ingediend_op"],
        ingediend_door=m["ingediend_door"],
        beoordeeld_op=m["beoordeeld_op"],
        beoordeeld_door=m["beoordeeld_door"],
        goedgekeurde_revisie=m["goedgekeurde_revisie"],
        reden=m["reden"],
        wachttijd_tot=m["wachttijd_tot"],
        uitgevoerd_op=m["uitgevoerd_op"],
        items=items,
        tellingen=tellingen,
    )


_ITEM_FIELDS = tuple(c.name for c in I.columns)


def _item(m: Any) -> Item:
    values = {name: m[name] for name in _ITEM_FIELDS}
    values["status"] = ItemStatus(values["status"])
    values["detail"] = values["detail"] or {}
    return Item(**values)


_TOMBSTONE_FIELDS = tuple(c.name for c in retention_tombstones.columns)


def _tombstone_values(g: Grafsteen) -> dict[str, Any]:
    values = {name: getattr(g, name) for name in _TOMBSTONE_FIELDS}
    values["goedgekeurd_op"] = common.utc(g.goedgekeurd_op, "goedgekeurd_op")
    values["vernietigd_op"] = common.utc(g.vernietigd_op, "vernietigd_op")
    return values


def _tombstone(m: Any) -> Grafsteen:
    return Grafsteen(**{name: m[name] for name in _TOMBSTONE_FIELDS})
