"""The Woo catalog in memory: the fake for unit tests and for an in-memory catalog. Same contract
as `edepot.catalog.woo_sql.SqlWooCatalog` (tests/integration/woo_service/test_woo_catalog_contract.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from uuid import UUID

from edepot.errors import Conflict
from edepot.woo.model import PublicatieStatus
from edepot.woo.sitemaps import BestandState, SitemapState
from edepot.woo_ports import (
    PublicatieRij,
    RedactieRij,
    SitemapRegel,
    StukRij,
    bestand_wijzigingen,
    publicatie_not_found,
    stale,
    stuk_not_found,
)


class InMemoryWooCatalog:
    def __init__(self) -> None:
        self._publicaties: dict[str, PublicatieRij] = {}
        self._stukken: dict[str, StukRij] = {}
        self._redacties: dict[tuple[str, int], RedactieRij] = {}
        self._sitemaps: dict[str, tuple[str, BestandState]] = {}
        self._lock = threading.Lock()
        self._sitemap_lock = threading.Lock()

    def add_publicatie(self, publicatie: PublicatieRij, stukken: Sequence[StukRij]) -> None:
        with self._lock:
            if publicatie.id in self._publicaties or any(s.id in self._stukken for s in stukken):
                raise Conflict(
                    f"publicatie {publicatie.id} or one of its documents already exists", publicatie=publicatie.id
                )
            self._publicaties[publicatie.id] = publicatie
            self._stukken.update({s.id: s for s in stukken})

    def get_publicatie(self, publicatie_id: str) -> PublicatieRij:
        try:
            return self._publicaties[publicatie_id]
        except KeyError:
            raise publicatie_not_found(publicatie_id) from None

    def publicaties(
        self, *, status: PublicatieStatus | None = None, limit: int = 100, offset: int = 0
    ) -> list[PublicatieRij]:
        found = [p for p in self._publicaties.values() if status is None or p.status is status]
        found.sort(key=lambda p: p.id)
        found.sort(key=lambda p: p.aangemaakt_op, reverse=True)
        return found[offset : offset + limit]

    def stukken(self, publicatie_id: str) -> list[StukRij]:
        return sorted(
            (s for s in self._stukken.values() if s.publicatie_id == publicatie_id), key=lambda s: (s.volgnummer, s.id)
        )

    def get_stuk(self, document_id: str) -> StukRij:
        try:
            return self._stukken[document_id]
        except KeyError:
            raise stuk_not_found(document_id) from None

    def stuk_met_url(self, url: str) -> StukRij | None:
        return next((s for _, s in sorted(self._stukken.items()) if s.url == url), None)

    def save(self, publicatie: PublicatieRij, stukken: Sequence[StukRij], *, revisie: int) -> PublicatieRij:
        with self._lock:
            current = self.get_publicatie(publicatie.id)
            if current.revisie != revisie:
                raise stale(publicatie.id, revisie, current.revisie)
            saved = replace(publicatie, revisie=revisie + 1)
            self._publicaties[publicatie.id] = saved
            self._stukken.update({s.id: s for s in stukken})
        return saved

    def _met_status(self, status: PublicatieStatus) -> list[StukRij]:
        return [s for s in self._stukken.values() if self._publicaties[s.publicatie_id].status is status]

    def gepubliceerde_stukken(self) -> list[StukRij]:
        return sorted(self._met_status(PublicatieStatus.GEPUBLICEERD), key=lambda s: (s.publicatie_id, s.volgnummer))

    def gepubliceerde_urls(self) -> dict[str, datetime]:
        return {s.url: s.gewijzigd_op for s in self._met_status(PublicatieStatus.GEPUBLICEERD) if s.url}

    def stukken_met_urls(self, urls: Sequence[str]) -> list[StukRij]:
        gevraagd = set(urls)
        return [s for s in self.gepubliceerde_stukken() if s.url in gevraagd]

    def sitemap_regels(self, urls: Sequence[str] | None = None) -> list[SitemapRegel]:
        gevraagd = None if urls is None else set(urls)
        return [
            SitemapRegel(
                s.url,
                s.gewijzigd_op,
                self._publicaties[s.publicatie_id].gepubliceerd_op,
                s.sitemap_categorie,
                s.sitemap_fragment,
            )
            for s in self._met_status(PublicatieStatus.GEPUBLICEERD)
            if s.url is not None and (gevraagd is None or s.url in gevraagd)
        ]

    def publicaties_met_ids(self, ids: Iterable[str]) -> dict[str, PublicatieRij]:
        return {i: self._publicaties[i] for i in set(ids) if i in self._publicaties}

    def published_record_ids(self) -> frozenset[UUID]:
        return frozenset(s.publiek_record_id for s in self._met_status(PublicatieStatus.GEPUBLICEERD))

    def gepubliceerde_categorieen(self, record_ids: Iterable[UUID]) -> dict[UUID, tuple[str, ...]]:
        wanted = set(record_ids)
        found: dict[UUID, tuple[str, ...]] = {}
        for stuk in self.gepubliceerde_stukken():
            if stuk.publiek_record_id in wanted:
                eigen = tuple(stuk.metadata.get("informatiecategorieen") or ())
                categorieen = eigen or self._publicaties[stuk.publicatie_id].informatiecategorieen
                eerder = found.get(stuk.publiek_record_id, ())
                found[stuk.publiek_record_id] = tuple(dict.fromkeys((*eerder, *categorieen)))
        return found

    def withdrawal(self, record_id: UUID) -> str | None:
        if record_id in self.published_record_ids():
            return None
        ingetrokken = [
            self._publicaties[s.publicatie_id]
            for s in self._met_status(PublicatieStatus.INGETROKKEN)
            if s.publiek_record_id == record_id
        ]
        ingetrokken.sort(key=lambda p: p.aangemaakt_op, reverse=True)
        return ingetrokken[0].reden_intrekking if ingetrokken else None

    def add_redacties(self, regels: Iterable[RedactieRij]) -> None:
        with self._lock:
            nieuw = {(r.document_id, r.volgnummer): r for r in regels}
            if any(k in self._redacties for k in nieuw):
                raise Conflict("a redaction log line with this number already exists")
            self._redacties.update(nieuw)

    def redacties(self, document_id: str) -> list[RedactieRij]:
        return [r for (d, _), r in sorted(self._redacties.items()) if d == document_id]

    def sitemap_state(self) -> SitemapState:
        sitemaps = {n: b for n, (s, b) in sorted(self._sitemaps.items()) if s == "sitemap"}
        indexen = {n: b for n, (s, b) in sorted(self._sitemaps.items()) if s == "index"}
        return SitemapState(sitemaps=sitemaps, indexen=indexen)

    def save_sitemap_state(self, vorige: SitemapState, nieuw: SitemapState) -> None:
        schrijven, weg = bestand_wijzigingen(vorige, nieuw)
        with self._lock:
            for naam in weg:
                self._sitemaps.pop(naam, None)
            for soort, bestand in schrijven:
                self._sitemaps[bestand.naam] = (soort, bestand)

    @contextmanager
    def sitemaps_exclusief(self) -> Iterator[None]:
        with self._sitemap_lock:
            yield
