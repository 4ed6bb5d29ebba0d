"""Catalog projections of MDTO metadata: the one place that turns a sidecar into catalog rows.

Used both at ingest and when the catalog is rebuilt from storage, so the two cannot disagree.
"""

from __future__ import annotations

from uuid import UUID

from edepot.mdto.model import Informatieobject, Verwijzing
from edepot.model import RecordEntry
from edepot.packaging import BRON_EDEPOT


def edepot_id(identificaties: object) -> UUID | None:
    """The UUID edepot gave an object, from its identificatie list or a verwijzing."""
    if isinstance(identificaties, Verwijzing):
        identificaties = (identificaties.identificatie,) if identificaties.identificatie else ()
    for ident in identificaties:  # type: ignore[attr-defined]
        if ident is not None and ident.bron == BRON_EDEPOT:
            try:
                return UUID(ident.kenmerk)
            except ValueError:
                return None
    return None


def record_entry(io: Informatieobject, *, aip_id: UUID, sidecar_path: str) -> RecordEntry:
    record_id = edepot_id(io.identificatie)
    if record_id is None:
        raise ValueError(f"{sidecar_path}: informatieobject has no edepot identificatie")
    parent_id = next((p for p in (edepot_id(v) for v in io.is_onderdeel_van) if p), None)
    source_ids = [i for i in io.identificatie if i.bron != BRON_EDEPOT]
    kenmerk, bron = (source_ids[0].kenmerk, source_ids[0].bron) if source_ids else (str(record_id), BRON_EDEPOT)
    beperking = io.beperking_gebruik[0].type if io.beperking_gebruik else None
    dekking = io.dekking_in_tijd[0] if io.dekking_in_tijd else None
    return RecordEntry(
        id=record_id,
        aip_id=aip_id,
        parent_id=parent_id,
        naam=io.naam,
        aggregatieniveau=io.aggregatieniveau.label if io.aggregatieniveau else "",
        kenmerk=kenmerk,
        bron=bron,
        waardering=io.waardering.code or io.waardering.label,
        beperking_code=beperking.code if beperking else None,
        beperking_label=beperking.label if beperking else "",
        dekking_begin=dekking.begindatum if dekking else None,
        dekking_eind=dekking.einddatum if dekking else None,
        sidecar_path=sidecar_path,
        omschrijving="\n".join(io.omschrijving) or None,
    )
