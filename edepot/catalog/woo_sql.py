"""`SqlWooCatalog`: the Woo catalog (publicaties, documents, redaction log, sitemap state) on the
catalog database, SQLite or PostgreSQL (tables of migrations 0007 and 0008, `edepot.catalog.woo_tables`).

Every write is one transaction taking the write lock (`SqlTransactions._write`); a save checks
the stored revisie under that lock, so two processes changing one publicatie never both win.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from edepot.catalog.leases_sql import SqlLeases
from edepot.catalog.sql import SqlTransactions
from edepot.catalog.woo_tables import woo_documenten as D
from edepot.catalog.woo_tables import woo_publicaties as P
from edepot.catalog.woo_tables import woo_redacties as R
from edepot.catalog.woo_tables import woo_sitemap_bestanden as S
from edepot.errors import Conflict
from edepot.woo.model import PublicatieStatus, Verantwoordelijke
from edepot.woo.sitemaps import BestandState, SitemapState, UrlState
from edepot.woo_ports import (
    SITEMAP_LEASE,
    PublicatieRij,
    RedactieRij,
    SitemapRegel,
    StukRij,
    bestand_wijzigingen,
    publicatie_not_found,
    stale,
    stuk_not_found,
)

IN_BATCH = 500  # urls per IN (...) query
GEPUBLICEERD = str(PublicatieStatus.GEPUBLICEERD)


class SqlWooCatalog(SqlTransactions):
    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self._leases = SqlLeases(engine)

    # --- publicaties ---------------------------------------------------------------------------

    def add_publicatie(self, publicatie: PublicatieRij, stukken: Sequence[StukRij]) -> None:
        try:
            with self._write() as conn:
                conn.execute(insert(P).values(_publicatie_values(publicatie)))
                if stukken:
                    conn.execute(insert(D), [_stuk_values(s) for s in stukken])
        except IntegrityError as exc:
            raise Conflict(
                f"publicatie {publicatie.id} or one of its documents already exists",
                hint="choose another id, or show the existing publicatie",
                publicatie=publicatie.id,
            ) from exc

    def get_publicatie(self, publicatie_id: str) -> PublicatieRij:
        with self._read() as conn:
            row = conn.execute(select(P).where(P.c.id == publicatie_id)).one_or_none()
        if row is None:
            raise publicatie_not_found(publicatie_id)
        return _publicatie(row)

    def publicaties(
        self, *, status: PublicatieStatus | None = None, limit: int = 100, offset: int = 0
    ) -> list[PublicatieRij]:
        query = select(P)
        if status is not None:
            query = query.where(P.c.status == str(status))
        query = query.order_by(P.c.aangemaakt_op.desc(), P.c.id).limit(limit).offset(offset)
        with self._read() as conn:
            return [_publicatie(r) for r in conn.execute(query)]

    def stukken(self, publicatie_id: str) -> list[StukRij]:
        with self._read() as conn:
            return _stukken(conn, publicatie_id)

    def get_stuk(self, document_id: str) -> StukRij:
        with self._read() as conn:
            row = conn.execute(select(D).where(D.c.id == document_id)).one_or_none()
        if row is None:
            raise stuk_not_found(document_id)
        return _stuk(row)

    def stuk_met_url(self, url: str) -> StukRij | None:
        with self._read() as conn:
            row = conn.execute(select(D).where(D.c.url == url).order_by(D.c.id).limit(1)).one_or_none()
        return None if row is None else _stuk(row)

    def save(self, publicatie: PublicatieRij, stukken: Sequence[StukRij], *, revisie: int) -> PublicatieRij:
        from dataclasses import replace

        saved = replace(publicatie, revisie=revisie + 1)
        with self._write() as conn:
            current = conn.execute(
                select(P.c.revisie).where(P.c.id == publicatie.id).with_for_update()
            ).scalar_one_or_none()
            if current is None:
                raise publicatie_not_found(publicatie.id)
            if current != revisie:
                raise stale(publicatie.id, revisie, current)
            values = _publicatie_values(saved)
            del values["id"]
            conn.execute(update(P).where(P.c.id == publicatie.id).values(values))
            bestaand = set(conn.execute(select(D.c.id).where(D.c.publicatie_id == publicatie.id)).scalars())
            for stuk in stukken:
                values = _stuk_values(stuk)
                if stuk.id in bestaand:
                    del values["id"]
                    conn.execute(update(D).where(D.c.id == stuk.id).values(values))
                else:
                    conn.execute(insert(D).values(values))
        return saved

    # --- what the public may see ----------------------------------------------------------------

    def gepubliceerde_stukken(self) -> list[StukRij]:
        query = (
            select(D)
            .join(P, P.c.id == D.c.publicatie_id)
            .where(P.c.status == str(PublicatieStatus.GEPUBLICEERD))
            .order_by(D.c.publicatie_id, D.c.volgnummer)
        )
        with self._read() as conn:
            return [_stuk(r) for r in conn.execute(query)]

    def gepubliceerde_urls(self) -> dict[str, datetime]:
        query = (
            select(D.c.url, D.c.gewijzigd_op)
            .join(P, P.c.id == D.c.publicatie_id)
            .where(P.c.status == str(PublicatieStatus.GEPUBLICEERD), D.c.url.is_not(None))
        )
        with self._read() as conn:
            return {url: moment for url, moment in conn.execute(query)}

    def stukken_met_urls(self, urls: Sequence[str]) -> list[StukRij]:
        gevraagd = sorted(set(urls))
        gevonden: list[StukRij] = []
        with self._read() as conn:
            for begin in range(0, len(gevraagd), IN_BATCH):
                # by url first, status after: with the status in WHERE SQLite scans every published document
                query = (
                    select(D, P.c.status.label("publicatie_status"))
                    .join(P, P.c.id == D.c.publicatie_id)
                    .where(D.c.url.in_(gevraagd[begin : begin + IN_BATCH]))
                )
                gevonden += [_stuk(r) for r in conn.execute(query) if r.publicatie_status == GEPUBLICEERD]
        return gevonden

    def sitemap_regels(self, urls: Sequence[str] | None = None) -> list[SitemapRegel]:
        kolommen = select(
            D.c.url, D.c.gewijzigd_op, P.c.gepubliceerd_op, D.c.sitemap_categorie, D.c.sitemap_fragment, P.c.status
        ).join(P, P.c.id == D.c.publicatie_id)
        if urls is None:
            batches = [kolommen.where(P.c.status == GEPUBLICEERD, D.c.url.is_not(None))]
        else:  # status is checked below: in the WHERE clause it makes SQLite scan every published document
            gevraagd = sorted(set(urls))
            batches = [
                kolommen.where(D.c.url.in_(gevraagd[begin : begin + IN_BATCH]))
                for begin in range(0, len(gevraagd), IN_BATCH)
            ]
        regels: list[SitemapRegel] = []
        with self._read() as conn:
            for query in batches:
                regels += [
                    SitemapRegel(url, gewijzigd, eerst, categorie, None if fragment is None else bytes(fragment))
                    for url, gewijzigd, eerst, categorie, fragment, status in conn.execute(query)
                    if status == GEPUBLICEERD
                ]
        return regels

    def publicaties_met_ids(self, ids: Iterable[str]) -> dict[str, PublicatieRij]:
        gevraagd = sorted(set(ids))
        gevonden: dict[str, PublicatieRij] = {}
        with self._read() as conn:
            for begin in range(0, len(gevraagd), IN_BATCH):
                query = select(P).where(P.c.id.in_(gevraagd[begin : begin + IN_BATCH]))
                gevonden.update((rij.id, rij) for rij in map(_publicatie, conn.execute(query)))
        return gevonden

    def published_record_ids(self) -> frozenset[UUID]:
        query = (
            select(D.c.publiek_record_id)
            .join(P, P.c.id == D.c.publicatie_id)
            .where(P.c.status == str(PublicatieStatus.GEPUBLICEERD))
        )
        with self._read() as conn:
            return frozenset(conn.execute(query).scalars())

    def gepubliceerde_categorieen(self, record_ids: Iterable[UUID]) -> dict[UUID, tuple[str, ...]]:
        wanted = list(dict.fromkeys(record_ids))
        found: dict[UUID, tuple[str, ...]] = {}
        with self._read() as conn:
            for start in range(0, len(wanted), 500):  # far below any bound-parameter limit
                query = (
                    select(D.c.publiek_record_id, D.c.metadata, P.c.informatiecategorieen)
                    .join(P, P.c.id == D.c.publicatie_id)
                    .where(
                        P.c.status == str(PublicatieStatus.GEPUBLICEERD),
                        D.c.publiek_record_id.in_(wanted[start : start + 500]),
                    )
                    .order_by(D.c.publicatie_id, D.c.volgnummer)
                )
                for record_id, metadata, van_publicatie in conn.execute(query):
                    categorieen = tuple((metadata or {}).get("informatiecategorieen") or ()) or tuple(van_publicatie)
                    found[record_id] = tuple(dict.fromkeys((*found.get(record_id, ()), *categorieen)))
        return found

    def withdrawal(self, record_id: UUID) -> str | None:
        query = (
            select(P.c.status, P.c.reden_intrekking)
            .join(D, P.c.id == D.c.publicatie_id)
            .where(D.c.publiek_record_id == record_id)
            .order_by(P.c.aangemaakt_op.desc())
        )
        with self._read() as conn:
            rows = conn.execute(query).all()
        if any(status == str(PublicatieStatus.GEPUBLICEERD) for status, _ in rows):
            return None
        return next((reden for status, reden in rows if status == str(PublicatieStatus.INGETROKKEN)), None)

    # --- redaction log ---------------------------------------------------------------------------

    def add_redacties(self, regels: Iterable[RedactieRij]) -> None:
        values = [_redactie_values(r) for r in regels]
        if not values:
            return
        with self._write() as conn:
            conn.execute(insert(R), values)

    def redacties(self, document_id: str) -> list[RedactieRij]:
        with self._read() as conn:
            rows = conn.execute(select(R).where(R.c.document_id == document_id).order_by(R.c.volgnummer)).all()
        return [_redactie(r) for r in rows]

    # --- sitemaps --------------------------------------------------------------------------------

    def sitemap_state(self) -> SitemapState:
        sitemaps: dict[str, BestandState] = {}
        indexen: dict[str, BestandState] = {}
        with self._read() as conn:
            for row in conn.execute(select(S).order_by(S.c.naam)):
                bestand = _bestand(row)
                (indexen if row.soort == "index" else sitemaps)[bestand.naam] = bestand
        return SitemapState(sitemaps=sitemaps, indexen=indexen)

    def save_sitemap_state(self, vorige: SitemapState, nieuw: SitemapState) -> None:
        schrijven, weg = bestand_wijzigingen(vorige, nieuw)
        if not schrijven and not weg:
            return
        with self._write() as conn:
            if weg:
                conn.execute(delete(S).where(S.c.naam.in_(weg)))
            for soort, bestand in schrijven:
                conn.execute(delete(S).where(S.c.naam == bestand.naam))
                conn.execute(insert(S).values(_bestand_values(soort, bestand)))

    def sitemaps_exclusief(self) -> AbstractContextManager[None]:
        return self._leases.hold([SITEMAP_LEASE])


# --- rows ------------------------------------------------------------------------------------------


def _publicatie_values(p: PublicatieRij) -> dict[str, Any]:
    return {
        "id": p.id,
        "officiele_titel": p.officiele_titel,
        "informatiecategorieen": list(p.informatiecategorieen),
        "verantwoordelijke": str(p.verantwoordelijke),
        "status": str(p.status),
        "omschrijving": p.omschrijving,
        "kenmerken": list(p.kenmerken),
        "aangemaakt_op": p.aangemaakt_op,
        "aangemaakt_door": p.aangemaakt_door,
        "gewijzigd_op": p.gewijzigd_op,
        "gepubliceerd_op": p.gepubliceerd_op,
        "ingetrokken_op": p.ingetrokken_op,
        "reden_intrekking": p.reden_intrekking,
        "reden_resource": p.reden_resource,
        "vervangen_door": p.vervangen_door,
        "revisie": p.revisie,
    }


def _publicatie(row: Any) -> PublicatieRij:
    m = row._mapping
    return PublicatieRij(
        id=m["id"],
        officiele_titel=m["officiele_titel"],
        informatiecategorieen=tuple(m["informatiecategorieen"]),
        verantwoordelijke=Verantwoordelijke(m["verantwoordelijke"]),
        status=PublicatieStatus(m["status"]),
        omschrijving=m["omschrijving"],
        kenmerken=tuple(m["kenmerken"]),
        aangemaakt_op=m["aangemaakt_op"],
        aangemaakt_door=m["aangemaakt_door"],
        gewijzigd_op=m["gewijzigd_op"],
        gepubliceerd_op=m["gepubliceerd_op"],
        ingetrokken_op=m["ingetrokken_op"],
        reden_intrekking=m["reden_intrekking"],
        reden_resource=m["reden_resource"],
        vervangen_door=m["vervangen_door"],
        revisie=m["revisie"],
    )


def _stuk_values(s: StukRij) -> dict[str, Any]:
    return {
        "id": s.id,
        "publicatie_id": s.publicatie_id,
        "volgnummer": s.volgnummer,
        "record_id": s.record_id,
        "bestand_id": s.bestand_id,
        "gepubliceerd_record_id": s.gepubliceerd_record_id,
        "gepubliceerd_bestand_id": s.gepubliceerd_bestand_id,
        "publiek_record_id": s.publiek_record_id,
        "url": s.url,
        "geredigeerd": s.geredigeerd,
        "metadata": dict(s.metadata),
        "gewijzigd_op": s.gewijzigd_op,
        "sitemap_categorie": s.sitemap_categorie,
        "sitemap_fragment": s.sitemap_fragment,
    }


def _stuk(row: Any) -> StukRij:
    m = row._mapping
    return StukRij(
        id=m["id"],
        publicatie_id=m["publicatie_id"],
        volgnummer=m["volgnummer"],
        record_id=m["record_id"],
        bestand_id=m["bestand_id"],
        gepubliceerd_record_id=m["gepubliceerd_record_id"],
        gepubliceerd_bestand_id=m["gepubliceerd_bestand_id"],
        url=m["url"],
        geredigeerd=bool(m["geredigeerd"]),
        metadata=dict(m["metadata"]),
        gewijzigd_op=m["gewijzigd_op"],
        sitemap_categorie=m["sitemap_categorie"],
        sitemap_fragment=None if m["sitemap_fragment"] is None else bytes(m["sitemap_fragment"]),
    )


def _stukken(conn: Connection, publicatie_id: str) -> list[StukRij]:
    query = select(D).where(D.c.publicatie_id == publicatie_id).order_by(D.c.volgnummer, D.c.id)
    return [_stuk(r) for r in conn.execute(query)]


def _redactie_values(r: RedactieRij) -> dict[str, Any]:
    return {
        "document_id": r.document_id,
        "volgnummer": r.volgnummer,
        "redactie": r.redactie,
        "pagina": r.pagina,
        "gebied": list(r.gebied),
        "grond": r.grond,
        "wie": r.wie,
        "wanneer": r.wanneer,
        "methode": r.methode,
        "record_id": r.record_id,
    }


def _redactie(row: Any) -> RedactieRij:
    m = row._mapping
    x0, y0, x1, y1 = (float(v) for v in m["gebied"])
    return RedactieRij(
        document_id=m["document_id"],
        volgnummer=m["volgnummer"],
        redactie=m["redactie"],
        pagina=m["pagina"],
        gebied=(x0, y0, x1, y1),
        grond=m["grond"],
        wie=m["wie"],
        wanneer=m["wanneer"],
        methode=m["methode"],
        record_id=m["record_id"],
    )


def _bestand_values(soort: str, b: BestandState) -> dict[str, Any]:
    return {
        "naam": b.naam,
        "soort": soort,
        "digest": b.digest,
        "lastmod": b.lastmod,
        "urls": [[u.loc, u.volgorde[0], u.volgorde[1], u.lastmod, u.digest, u.grootte] for u in b.urls],
    }


def _bestand(row: Any) -> BestandState:
    m = row._mapping
    return BestandState(
        naam=m["naam"],
        digest=m["digest"],
        lastmod=m["lastmod"],
        urls=tuple(UrlState(u[0], (u[1], u[2]), u[3], u[4], int(u[5])) for u in m["urls"]),
    )
