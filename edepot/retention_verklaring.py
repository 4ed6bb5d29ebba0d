"""The verklaring van vernietiging and the verklaring van overbrenging, as CSV and PDF. Pure: values in,
bytes out, deterministic (the PDF is made with reportlab's `invariant` option: no creation date, no
random id), so rendering the same list twice gives the same bytes and ingesting it again is a no-op.

The verklaring van vernietiging says what was destroyed (identity, title, source), in which systems
(every object store, with what was deleted there), under which selectielijst categories, how
(deletion of every object and every version, tombstone kept) and who approved it when. The
verklaring van overbrenging lists the AIPs handed to the archiefbewaarplaats and their
openbaarheidsbeperkingen, each lapsing at the latest 75 years after the record's end date.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from edepot.retention import plus_duur
from edepot.retention_workflow import Grafsteen, Item, Lijst

MAX_BEPERKING_JAREN = 75
METHODE = (
    "verwijderd uit de objectopslag: elk object van het AIP en van zijn metadatarevisies, met alle versies; "
    "catalogusstatus vernietigd; grafsteen bewaard"
)


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else str(v) for v in row])
    return out.getvalue().encode("utf-8")


def _d(value: date | None) -> str:
    return value.isoformat() if value else ""


def _t(value: datetime | None) -> str:
    return value.isoformat() if value else ""


# --------------------------------------------------------------------------- vernietiging

VERNIETIGING_KOLOMMEN = (
    "aip_id",
    "kenmerk",
    "titel",
    "bron",
    "selectielijst",
    "versie",
    "categorie",
    "waardering",
    "brondatum",
    "archiefactiedatum",
    "vernietigd_op",
    "systemen",
    "methode",
    "lijst",
    "goedgekeurd_door",
    "goedgekeurd_op",
)


def _systemen(grafsteen: Grafsteen) -> str:
    parts = []
    for store, detail in sorted(grafsteen.opslag.items()):
        deleted = detail.get("verwijderd", 0) if isinstance(detail, dict) else detail
        parts.append(f"{store} ({deleted} objectversies)")
    return "; ".join(parts)


def vernietiging_csv(lijst: Lijst, graven: Sequence[Grafsteen]) -> bytes:
    return _csv(
        VERNIETIGING_KOLOMMEN,
        (
            (
                g.aip_id,
                g.source_key,
                g.titel,
                g.bron,
                g.selectielijst,
                g.versie,
                g.categorie,
                g.waardering,
                _d(g.brondatum),
                _d(g.archiefactiedatum),
                g.vernietigd_op.isoformat(),
                _systemen(g),
                METHODE,
                lijst.id,
                g.goedgekeurd_door,
                g.goedgekeurd_op.isoformat(),
            )
            for g in graven
        ),
    )


def _pdf(title: str, paragraphs: Sequence[str], header: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=7, leading=8.5)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        title=title,
        author="edepot",
        creator="edepot",
        invariant=1,
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.5 * cm,
    )
    story: list[object] = [Paragraph(_escape(title), styles["Title"])]
    story += [Paragraph(_escape(p), styles["BodyText"]) for p in paragraphs]
    story.append(Spacer(1, 0.4 * cm))
    data = [[Paragraph(f"<b>{_escape(h)}</b>", small) for h in header]]
    data += [[Paragraph(_escape(c), small) for c in row] for row in rows]
    table = LongTable(data, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(table)
    doc.build(story)
    return buffer.getvalue()


def _escape(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def vernietiging_pdf(lijst: Lijst, graven: Sequence[Grafsteen], *, organisation: str) -> bytes:
    categorieen = sorted({f"{g.selectielijst} (versie {g.versie}) categorie {g.categorie}" for g in graven})
    systemen = sorted({store for g in graven for store in g.opslag})
    uitgevoerd = max((g.vernietigd_op for g in graven), default=None)
    paragraphs = [
        f"{organisation} verklaart dat de hieronder genoemde {len(graven)} archiefbescheiden zijn vernietigd "
        f"volgens vernietigingslijst {lijst.id}.",
        f"Goedgekeurd door {lijst.beoordeeld_door} op {_t(lijst.beoordeeld_op)}; "
        f"wachttijd tot {_t(lijst.wachttijd_tot)}; "
        f"uitgevoerd op {uitgevoerd.isoformat() if uitgevoerd else ''}.",
        f"Grondslag: {'; '.join(categorieen) or 'geen'}.",
        f"Systemen: {', '.join(systemen) or 'geen'}. Wijze: {METHODE}.",
    ]
    header = ("kenmerk", "titel", "bron", "categorie", "brondatum", "archiefactiedatum", "vernietigd op", "systemen")
    rows = [
        (
            g.source_key,
            g.titel,
            g.bron,
            f"{g.selectielijst} {g.categorie}",
            _d(g.brondatum),
            _d(g.archiefactiedatum),
            g.vernietigd_op.isoformat(),
            _systemen(g),
        )
        for g in graven
    ]
    return _pdf(f"Verklaring van vernietiging {lijst.id}", paragraphs, header, rows)


# --------------------------------------------------------------------------- overbrenging


@dataclass(frozen=True)
class Beperking:
    """An openbaarheidsbeperking of one record in a transferred AIP."""

    aip_id: str
    record_id: str
    kenmerk: str
    naam: str
    code: str | None
    label: str
    einddatum: date | None  # as the metadata gives it
    basisdatum: date | None  # the record's end date (or start), from which the 75 years count
    openbaar_vanaf: date | None
    begrensd: bool  # True when the given end was later than 75 years (or missing) and was capped


def openbaar_vanaf(einddatum: date | None, basisdatum: date | None) -> tuple[date | None, bool]:
    """When the restriction lapses: its own end date, but at most 75 years after the basis date."""
    grens = plus_duur(basisdatum, f"P{MAX_BEPERKING_JAREN}Y") if basisdatum else None
    if einddatum is None:
        return grens, grens is not None
    if grens is not None and einddatum > grens:
        return grens, True
    return einddatum, False


OVERBRENGING_KOLOMMEN = (
    "aip_id",
    "kenmerk",
    "titel",
    "selectielijst",
    "versie",
    "categorie",
    "brondatum",
    "overbrengingsdatum",
    "map",
    "beperkingen",
)


def overbrenging_csv(items: Sequence[Item], mappen: dict[str, str], beperkingen: Sequence[Beperking]) -> bytes:
    per_aip: dict[str, int] = {}
    for b in beperkingen:
        per_aip[b.aip_id] = per_aip.get(b.aip_id, 0) + 1
    return _csv(
        OVERBRENGING_KOLOMMEN,
        (
            (
                i.aip_id,
                i.source_key,
                i.titel,
                i.selectielijst,
                i.versie,
                i.categorie,
                _d(i.brondatum),
                _d(i.archiefactiedatum),
                mappen.get(str(i.aip_id), ""),
                per_aip.get(str(i.aip_id), 0),
            )
            for i in items
        ),
    )


def beperkingen_csv(beperkingen: Sequence[Beperking]) -> bytes:
    return _csv(
        (
            "aip_id",
            "record_id",
            "kenmerk",
            "naam",
            "code",
            "label",
            "einddatum_metadata",
            "basisdatum",
            "openbaar_vanaf",
            "begrensd_op_75_jaar",
        ),
        (
            (
                b.aip_id,
                b.record_id,
                b.kenmerk,
                b.naam,
                b.code,
                b.label,
                _d(b.einddatum),
                _d(b.basisdatum),
                _d(b.openbaar_vanaf),
                "ja" if b.begrensd else "nee",
            )
            for b in beperkingen
        ),
    )


def overbrenging_pdf(
    lijst: Lijst, items: Sequence[Item], beperkingen: Sequence[Beperking], *, organisation: str
) -> bytes:
    paragraphs = [
        f"{organisation} draagt de hieronder genoemde {len(items)} archiefbescheiden over aan de "
        f"archiefbewaarplaats volgens overbrengingslijst {lijst.id}, als BagIt/MDTO-pakketten.",
        f"Goedgekeurd door {lijst.beoordeeld_door} op {_t(lijst.beoordeeld_op)}.",
        f"Openbaarheidsbeperkingen: {len(beperkingen)} (zie openbaarheidsbeperkingen.csv); elke beperking vervalt "
        f"uiterlijk {MAX_BEPERKING_JAREN} jaar na de einddatum van het archiefstuk.",
    ]
    per_aip: dict[str, list[Beperking]] = {}
    for b in beperkingen:
        per_aip.setdefault(b.aip_id, []).append(b)
    header = ("kenmerk", "titel", "categorie", "brondatum", "overbrengingsdatum", "beperkingen (openbaar vanaf)")
    rows = [
        (
            i.source_key,
            i.titel,
            f"{i.selectielijst or ''} {i.categorie or ''}".strip(),
            _d(i.brondatum),
            _d(i.archiefactiedatum),
            "; ".join(f"{b.label} ({_d(b.openbaar_vanaf)})" for b in per_aip.get(str(i.aip_id), [])) or "geen",
        )
        for i in items
    ]
    return _pdf(f"Verklaring van overbrenging {lijst.id}", paragraphs, header, rows)
