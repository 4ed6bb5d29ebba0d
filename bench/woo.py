"""Woo benchmark: sitemap generation for 100,000 published documents, and redaction pages/s.

Sitemaps: 100,000 generated documents spread over the Woo informatiecategorieën and 24 months
(fixed seed). Measured separately: building the DiWoo fragment of every document (done once per
document at publication in practice, then stored), a full sitemap generation from those fragments,
one incremental run (100 new documents and 100 retractions), and validating one sitemap against
the DiWoo XSD. Issue 9's target: sitemap generation under 10 s.

Service level: the same 100,000 documents as published Woo documents in a SQLite catalog (rows
written in bulk, not through the use cases, each with the sitemap entry (categorie and DiWoo
fragment) that publication renders and stores once), then through `WooService.sitemaps()`: a full generation
(empty state: read, render, write every file, save the state), a run with nothing changed, and an
incremental run after 100 new documents and 100 retracted ones (20 publicaties of 5). Printed as
seconds and as a ratio against the pure core (DiWoo fragments + full generation, above) measured in
the same run.

Redaction: a generated text PDF (Helvetica, 4 redactions per page) is redacted by text removal,
and again with every page rasterised (150 dpi); pages/s include verification (pdfplumber,
pypdfium2, byte search, rendering). Nothing here asserts.

Usage: python bench/woo.py [--documents 100000] [--pages 40] [--workdir DIR]
The machine may be shared: the seconds are noisy, the ratios less so.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

from edepot.woo import lijsten  # noqa: E402
from edepot.woo.diwoo import document_fragment  # noqa: E402
from edepot.woo.model import Documenthandeling, Publicatie, WooDocument  # noqa: E402
from edepot.woo.redact import Rect, Redaction, redact  # noqa: E402
from edepot.woo.schema import validate  # noqa: E402
from edepot.woo.sitemaps import Url, Verwijdering, genereer, regenereer  # noqa: E402
from edepot.woo.suggest import WooGrond  # noqa: E402

SEED = 20250304
BASIS = "https://woo.limburg.nl"


def documenten(aantal: int) -> list[tuple[Publicatie, WooDocument, datetime]]:
    rng = random.Random(SEED)
    categorieen = [w.resource for w in lijsten.informatiecategorieen()]
    vaststelling = lijsten.soorten_handeling().op_label("vaststelling").resource
    start = datetime(2023, 1, 1, tzinfo=UTC)
    uit = []
    for i in range(aantal):
        moment = start + timedelta(minutes=rng.randrange(0, 24 * 30 * 24 * 60))
        document = WooDocument(
            id=f"doc-{i:06d}",
            url=f"{BASIS}/bestanden/{i:06d}/besluit-{i}.pdf",
            officiele_titel=f"Besluit {i} over {rng.choice(['subsidie', 'vergunning', 'ontgronding', 'natuur'])}",
            documenthandelingen=(Documenthandeling(vaststelling, moment),),
            kenmerken=(f"Z-{moment.year}-{i:06d}",),
        )
        publicatie = Publicatie(
            id=f"pub-{i // 5}",
            officiele_titel=f"Publicatie {i // 5}",
            informatiecategorieen=(rng.choice(categorieen),),
            documenten=(document,),
        )
        uit.append((publicatie, document, moment))
    return uit


def bench_sitemaps(aantal: int) -> float:
    print(f"== sitemaps: {aantal:,} published documents")
    t0 = time.perf_counter()
    docs = documenten(aantal)
    t1 = time.perf_counter()
    urls = [
        Url(
            loc=d.url,
            lastmod=m.date(),
            categorie=p.informatiecategorieen[0],
            gepubliceerd_op=m,
            document_xml=document_fragment(p, d),
        )
        for p, d, m in docs
    ]
    t2 = time.perf_counter()
    print(f"model objects            {t1 - t0:7.2f} s")
    print(f"DiWoo fragments          {t2 - t1:7.2f} s  ({aantal / (t2 - t1):,.0f} documents/s; once per document)")
    uitkomst = genereer(BASIS, urls, tijdstip=date(2025, 3, 4))
    t3 = time.perf_counter()
    grootte = sum(len(b) for b in uitkomst.bestanden.values() if b)
    sitemaps = [n for n in uitkomst.bestanden if n.startswith("sitemap-")]
    print(
        f"full generation          {t3 - t2:7.2f} s  ({len(sitemaps)} sitemaps, {len(uitkomst.indexnamen)} index, "
        f"{grootte / 1e6:.0f} MB)  target < 10 s"
    )
    print(f"fragments + generation   {t3 - t1:7.2f} s")
    opzoeken = {u.loc: u for u in urls}.__getitem__
    rng = random.Random(SEED + 1)
    nieuw = [
        Url(
            loc=f"{BASIS}/bestanden/nieuw-{i}.pdf",
            lastmod=date(2025, 3, 5),
            categorie=urls[0].categorie,
            gepubliceerd_op=datetime(2025, 3, 5, tzinfo=UTC),
            document_xml=urls[0].document_xml,
        )
        for i in range(100)
    ]
    weg = [Verwijdering(u.loc) for u in rng.sample(urls, 100)]
    t4 = time.perf_counter()
    incrementeel = regenereer(BASIS, uitkomst.state, [*nieuw, *weg], opzoeken, tijdstip=date(2025, 3, 5))
    t5 = time.perf_counter()
    print(f"incremental (+100, -100) {t5 - t4:7.2f} s  ({len(incrementeel.bestanden)} files rewritten)")
    grootste = max(sitemaps, key=lambda n: len(uitkomst.bestanden[n] or b""))
    t6 = time.perf_counter()
    fouten = validate(uitkomst.bestanden[grootste] or b"", source=grootste)
    t7 = time.perf_counter()
    print(f"XSD check of one sitemap {t7 - t6:7.2f} s  ({grootste}, {len(fouten)} findings)")
    return t3 - t1


def _rijen(
    aantal: int, start: int, nu: datetime, *, per: int = 5
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Bulk rows of published publicaties (5 documents each) for the SQL Woo catalog, each document
    with its sitemap entry rendered as `WooService.publish` stores it."""
    from uuid import UUID

    from edepot.catalog.woo_sql import _publicatie_values, _stuk_values
    from edepot.woo.model import Documenthandeling as Handeling
    from edepot.woo.model import PublicatieStatus, Verantwoordelijke
    from edepot.woo_metadata import NieuwDocument, metadata_json
    from edepot.woo_ports import PublicatieRij, StukRij
    from edepot.woo_service import met_sitemapregel

    rng = random.Random(SEED + start)
    categorieen = [w.resource for w in lijsten.informatiecategorieen()]
    vaststelling = lijsten.soorten_handeling().op_label("vaststelling").resource
    publicaties, stukken = [], []
    begin = datetime(2023, 1, 1, tzinfo=UTC)
    for p in range(start // per, (start + aantal) // per):
        moment = begin + timedelta(minutes=rng.randrange(0, 24 * 30 * 24 * 60))
        rij = PublicatieRij(
            id=f"pub-{p:06d}",
            officiele_titel=f"Publicatie {p}",
            informatiecategorieen=(rng.choice(categorieen),),
            verantwoordelijke=Verantwoordelijke.GEDEPUTEERDE_STATEN,
            status=PublicatieStatus.GEPUBLICEERD,
            aangemaakt_op=moment,
            aangemaakt_door="bench",
            gewijzigd_op=moment,
            gepubliceerd_op=moment,
        )
        publicaties.append(_publicatie_values(rij))
        for n in range(per):
            i = p * per + n
            document = NieuwDocument(
                record_id=UUID(int=i + 1),
                documenthandelingen=(Handeling(vaststelling, moment),),
                kenmerken=(f"Z-{moment.year}-{i:06d}",),
            )
            stukken.append(
                _stuk_values(
                    met_sitemapregel(
                        rij,
                        StukRij(
                            id=f"pub-{p:06d}-{n + 1}",
                            publicatie_id=rij.id,
                            volgnummer=n + 1,
                            record_id=UUID(int=i + 1),
                            bestand_id=UUID(int=10**9 + i),
                            gewijzigd_op=nu if start else moment,
                            metadata=metadata_json(
                                document, officiele_titel=f"Besluit {i}", bestandsnaam=f"besluit-{i}.pdf"
                            ),
                            url=f"{BASIS}/api/public/v1/records/{UUID(int=i + 1)}/files/{UUID(int=10**9 + i)}",
                        ),
                    )
                )
            )
    return publicaties, stukken


def bench_service(aantal: int, werkmap: Path, basislijn: float) -> None:
    """WooService.sitemaps() over `aantal` published documents in a SQLite catalog."""
    from sqlalchemy import insert, update

    from edepot.bootstrap import build
    from edepot.catalog.woo_tables import woo_documenten, woo_publicaties
    from edepot.settings import Settings
    from edepot.woo.model import PublicatieStatus
    from edepot.woo_service import WooService, woo_catalog_for

    print(f"== service: WooService.sitemaps() over {aantal:,} published documents (SQLite catalog)")
    services = build(Settings(home=werkmap / "home", public_base_url=BASIS, public_rate_limit=None))
    catalog = woo_catalog_for(services)
    woo = WooService(services, catalog)
    engine = catalog._engine  # type: ignore[attr-defined]
    t0 = time.perf_counter()
    publicaties, stukken = _rijen(aantal, 0, datetime.now(UTC))
    with engine.begin() as conn:
        conn.execute(insert(woo_publicaties), publicaties)
        conn.execute(insert(woo_documenten), stukken)
    t1 = time.perf_counter()
    print(f"seeding (bulk rows)      {t1 - t0:7.2f} s  (not part of the measurement)")
    volledig = woo.sitemaps()
    t2 = time.perf_counter()
    print(
        f"full generation          {t2 - t1:7.2f} s  ({volledig['urls']:,} urls, {len(volledig['geschreven'])} files)"
        f"  ratio {(t2 - t1) / basislijn:.2f} x core; target < 10 s"
    )
    niets = woo.sitemaps()
    t3 = time.perf_counter()
    print(
        f"nothing changed          {t3 - t2:7.2f} s  ({len(niets['geschreven'])} files, {niets['gelezen']} loaded)"
        f"  ratio {(t3 - t2) / basislijn:.2f} x core"
    )
    nieuw_p, nieuw_s = _rijen(100, aantal, datetime.now(UTC))
    weg = [p["id"] for p in random.Random(SEED + 2).sample(publicaties, 20)]
    with engine.begin() as conn:
        conn.execute(insert(woo_publicaties), nieuw_p)
        conn.execute(insert(woo_documenten), nieuw_s)
        conn.execute(
            update(woo_publicaties)
            .where(woo_publicaties.c.id.in_(weg))
            .values(status=str(PublicatieStatus.INGETROKKEN))
        )
    t4 = time.perf_counter()
    incrementeel = woo.sitemaps()
    t5 = time.perf_counter()
    print(
        f"incremental (+100, -100) {t5 - t4:7.2f} s  ({len(incrementeel['geschreven'])} files written, "
        f"{incrementeel['gelezen']:,} documents loaded, {incrementeel['urls']:,} urls)"
        f"  ratio {(t5 - t4) / basislijn:.2f} x core"
    )


def maak_pdf(pad: Path, paginas: int) -> list[Redaction]:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(pad), pagesize=A4)
    redacties = []
    wanneer = datetime(2025, 3, 4, tzinfo=UTC)
    for p in range(paginas):
        c.setFont("Helvetica", 10)
        for regel in range(50):
            y = 800 - 15 * regel
            c.drawString(60, y, f"Regel {regel} van pagina {p + 1}: de heer Pietersen{p}x{regel} woont in Limburg.")
        for regel in (3, 17, 29, 41):
            y = 800 - 15 * regel
            x = 60 + stringWidth(f"Regel {regel} van pagina {p + 1}: de heer ", "Helvetica", 10)
            breed = stringWidth(f"Pietersen{p}x{regel}", "Helvetica", 10)
            redacties.append(
                Redaction(
                    grond=WooGrond.PERSOONLIJKE_LEVENSSFEER,
                    wie="bench",
                    wanneer=wanneer,
                    pagina=p + 1,
                    gebied=Rect(x, y - 3, x + breed, y + 10),
                )
            )
        c.showPage()
    c.save()
    return redacties


def bench_redactie(paginas: int, werkmap: Path) -> None:
    print(f"== redaction: {paginas} pages, 4 areas per page")
    bron = werkmap / "bron.pdf"
    redacties = maak_pdf(bron, paginas)
    t0 = time.perf_counter()
    rapport = redact(bron, werkmap / "uit.pdf", redacties)
    t1 = time.perf_counter()
    methoden = {str(r.methode) for r in rapport.regels}
    print(f"text removal             {t1 - t0:7.2f} s  ({paginas / (t1 - t0):.1f} pages/s, methods {sorted(methoden)})")
    t2 = time.perf_counter()
    redact(bron, werkmap / "raster.pdf", redacties, rasteriseer=range(1, paginas + 1))
    t3 = time.perf_counter()
    print(f"rasterised (150 dpi)     {t3 - t2:7.2f} s  ({paginas / (t3 - t2):.1f} pages/s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    werkmap = args.workdir or Path(tempfile.mkdtemp(prefix="edepot-bench-woo-"))
    werkmap.mkdir(parents=True, exist_ok=True)
    try:
        basislijn = bench_sitemaps(args.documents)
        bench_service(args.documents, werkmap, basislijn)
        bench_redactie(args.pages, werkmap)
    finally:
        if args.workdir is None:
            shutil.rmtree(werkmap, ignore_errors=True)


if __name__ == "__main__":
    main()
