"""Search benchmark: indexing records/s and query latency per engine, in process.

100,000 generated records (Dutch-ish titles, descriptions and a short full text from word lists,
fixed seed; a quarter restricted or unpublished) are indexed in bulk by each engine; then
two-word queries with a facet filter run as the public audience, and p50/p95 latency is measured
(the full search: hits, total, every facet count and snippets). The printed ratio tantivy/whoosh
compares the two engines measured in the same run. Issue 8's targets for tantivy: at least
5,000 records/s indexing, p95 at most 5 ms. Nothing here asserts.

Whoosh is pure Python and indexes slowly, so by default it gets fewer records (--whoosh-records);
the report says so. The HTTP half of the benchmark belongs with the API.

Usage: python bench/search.py [--records 100000] [--whoosh-records 20000] [--queries 500] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

from edepot.search import open_index  # noqa: E402
from edepot.search.model import Audience, Facet, IndexDocument, Openbaarheid, Query  # noqa: E402

SEED = 20240801
ONDERWERPEN = (
    "vergunning", "ontgronding", "grindwinning", "natuurbeheer", "subsidie", "wegenonderhoud", "fietspad",
    "bestemmingsplan", "waterschap", "luchtkwaliteit", "geluidhinder", "bodemsanering", "provinciale", "weg",
    "brug", "sluis", "kanaal", "maas", "stikstof", "veehouderij", "recreatie", "erfgoed", "monument", "museum",
    "bibliotheek", "busvervoer", "spoorlijn", "windturbine", "zonnepark", "grondwater", "drinkwater",
    "overstroming", "dijkversterking", "mijnbouw", "staatsmijnen", "woningbouw", "krimp", "grensoverschrijdend",
    "euregio", "arbeidsmarkt", "onderwijs", "cultuur", "sport", "toerisme",
)
SOORTEN = (
    "besluit", "brief", "notulen", "rapport", "verslag", "advies", "nota", "overeenkomst", "beschikking",
    "kaart", "tekening",
)
PLAATSEN = (
    "Maastricht", "Venlo", "Heerlen", "Sittard", "Geleen", "Roermond", "Weert", "Kerkrade", "Venray",
    "Brunssum", "Landgraaf", "Valkenburg", "Gulpen", "Vaals", "Meerssen", "Stein", "Echt", "Susteren", "Horst",
    "Gennep", "Peel", "Maasgouw", "Leudal", "Nederweert", "Beesel",
)
WERKWOORDEN = (
    "verleend", "geweigerd", "ingetrokken", "gewijzigd", "verlengd", "aangevraagd", "besproken", "vastgesteld",
)
CATEGORIEEN = (
    "Vergunningen", "Besluiten", "Overeenkomsten", "Vergaderstukken", "Adviezen", "Subsidieverplichtingen",
    "Jaarplannen", "Klachtoordelen", "Onderzoeksrapporten", "Convenanten",
)
ORGANISATIES = (
    "Provincie Limburg", "Gedeputeerde Staten", "Provinciale Staten", "Waterschap Limburg",
    "Rijkswaterstaat", "Gemeente Maastricht", "Gemeente Venlo", "Staatsmijnen",
)
NIVEAUS = ("Dossier", "Archiefstuk", "Zaak", "Serie")


def records(count: int, seed: int = SEED) -> Iterator[IndexDocument]:
    rnd = random.Random(seed)
    for number in range(count):
        onderwerp, tweede = rnd.sample(ONDERWERPEN, 2)
        soort, plaats = rnd.choice(SOORTEN), rnd.choice(PLAATSEN)
        year = rnd.randint(1950, 2023)
        begin = date(year, rnd.randint(1, 12), rnd.randint(1, 28))
        end = date(min(year + rnd.choice((0, 0, 1, 2, 5)), 2024), 12, 31)
        access = rnd.random()
        yield IndexDocument(
            record_id=f"rec-{number:07d}",
            aip_id=f"aip-{number // 10:06d}",
            title=f"{soort.capitalize()} {onderwerp} {plaats} {year}",
            description=f"{soort.capitalize()} over {onderwerp} en {tweede} in {plaats}, {rnd.choice(WERKWOORDEN)}.",
            full_text=" ".join(
                f"De {rnd.choice(ONDERWERPEN)} in {rnd.choice(PLAATSEN)} is {rnd.choice(WERKWOORDEN)}."
                for _ in range(rnd.randint(5, 30))
            ),
            kenmerken=(f"INV-{number:07d}",),
            informatiecategorie=rnd.choice(CATEGORIEEN),
            organisatie=rnd.choice(ORGANISATIES),
            date_begin=begin,
            date_end=end,
            documentsoort=soort,
            aggregatieniveau=rnd.choice(NIVEAUS),
            waardering=rnd.choice("BBBVVN"),
            openbaarheid=Openbaarheid.OPENBAAR if access < 0.75 else rnd.choice(list(Openbaarheid)),
            published=access < 0.85,
            bestandsformaat="application/pdf",
            omvang=rnd.randint(10_000, 5_000_000),
        )


def queries(count: int, seed: int = SEED + 1) -> list[Query]:
    rnd = random.Random(seed)
    result = []
    for _ in range(count):
        words = f"{rnd.choice(ONDERWERPEN)} {rnd.choice(PLAATSEN + ONDERWERPEN)}"
        facet, value = rnd.choice(
            [(Facet.INFORMATIECATEGORIE, rnd.choice(CATEGORIEEN)), (Facet.ORGANISATIE, rnd.choice(ORGANISATIES))]
        )
        result.append(Query(words, filters={facet: (value,)}, audience=Audience.PUBLIC))
    return result


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def run(engine: str, count: int, workload: list[Query], workdir: Path) -> dict[str, float]:
    path = workdir / engine
    shutil.rmtree(path, ignore_errors=True)
    docs = list(records(count))
    index = open_index(engine, path)
    start = time.perf_counter()
    for offset in range(0, len(docs), 5_000):
        index.add(docs[offset : offset + 5_000])
    index.commit()
    indexing = time.perf_counter() - start
    index.close()  # let background segment merges finish: queries then run on a settled index
    index = open_index(engine, path)
    assert index.count() == count
    for query in workload[:20]:  # warm up caches
        index.search(query)
    latencies = []
    totals = 0
    for query in workload:
        begin = time.perf_counter()
        result = index.search(query)
        latencies.append((time.perf_counter() - begin) * 1000)
        totals += result.total
    index.close()
    return {
        "records": count,
        "rate": count / indexing,
        "seconds": indexing,
        "p50": statistics.median(latencies),
        "p95": percentile(latencies, 0.95),
        "mean_total": totals / len(workload),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000, help="records for tantivy (default 100,000)")
    parser.add_argument("--whoosh-records", type=int, default=20_000,
                        help="records for whoosh (default 20,000: pure Python indexes slowly)")
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="edepot-bench-search-"))
    workload = queries(args.queries)
    try:
        results = {
            "tantivy": run("tantivy", args.records, workload, workdir),
            "whoosh": run("whoosh", args.whoosh_records, workload, workdir),
        }
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)

    print(f"search benchmark: {args.queries} two-word public queries with one facet filter, seed {SEED}")
    if args.whoosh_records != args.records:
        print(f"NOTE: whoosh indexed {args.whoosh_records:,} records, tantivy {args.records:,} "
              "(query latency of whoosh is therefore measured on a smaller index)")
    print(f"{'engine':8} {'records':>9} {'index s':>8} {'records/s':>10} {'p50 ms':>8} {'p95 ms':>8} {'avg hits':>9}")
    for name, r in results.items():
        print(f"{name:8} {r['records']:>9,.0f} {r['seconds']:>8.1f} {r['rate']:>10,.0f} "
              f"{r['p50']:>8.2f} {r['p95']:>8.2f} {r['mean_total']:>9.0f}")
    t, w = results["tantivy"], results["whoosh"]
    print(f"ratio tantivy/whoosh: indexing {t['rate'] / w['rate']:.1f}x faster, "
          f"query p50 {w['p50'] / t['p50']:.1f}x faster, p95 {w['p95'] / t['p95']:.1f}x faster")
    print(f"issue 8 targets (tantivy): >= 5,000 records/s -> {t['rate']:,.0f}; p95 <= 5 ms -> {t['p95']:.2f} ms")


if __name__ == "__main__":
    main()
