"""Search benchmark: indexing records/s and query latency per engine, in process.

100,000 generated records (Dutch-ish titles, descriptions and a short full text from word lists,
fixed seed; a quarter restricted or unpublished) are indexed in bulk by each engine; then
two-word queries with a facet filter run as the public audience, and p50/p95 latency is measured
(the full search: hits, total, every facet count and snippets). The printed ratio tantivy/whoosh
compares the two engines measured in the same run. Issue 8's targets for tantivy: at least
5,000 records/s indexing, p95 at most 5 ms. Nothing here asserts.

Whoosh is pure Python and indexes slowly, so by default it gets fewer records (--whoosh-records);
the report says so.

The HTTP half: the same tantivy records are indexed into the data directory of a real `edepot serve`
(uvicorn, one process, public rate limit off) on 127.0.0.1, and --clients concurrent clients (httpx,
asyncio, in this process) send the same kind of queries to GET /api/public/v1/search back to back for
--seconds after a short warm-up: p50/p95 latency and requests/s. Each client waits for its answer
before it asks again (a closed loop), so latency is at least clients / throughput: the figure says
how long a visitor waits when 50 requests are always in flight. The load generator shares the
machine's cores with the server; the CPU count is printed. Issue 8's target: p95 <= 50 ms with 50
concurrent clients.

Usage: python bench/search.py [--records 100000] [--whoosh-records 20000] [--queries 500] [--workdir DIR]
                              [--clients 50] [--seconds 10] [--only http|inprocess]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import httpx  # noqa: E402

from edepot.search import open_index  # noqa: E402
from edepot.search.model import Audience, Facet, IndexDocument, Openbaarheid, Query  # noqa: E402

SEED = 20240801
ONDERWERPEN = (
    "vergunning",
    "ontgronding",
    "grindwinning",
    "natuurbeheer",
    "subsidie",
    "wegenonderhoud",
    "fietspad",
    "bestemmingsplan",
    "waterschap",
    "luchtkwaliteit",
    "geluidhinder",
    "bodemsanering",
    "provinciale",
    "weg",
    "brug",
    "sluis",
    "kanaal",
    "maas",
    "stikstof",
    "veehouderij",
    "recreatie",
    "erfgoed",
    "monument",
    "museum",
    "bibliotheek",
    "busvervoer",
    "spoorlijn",
    "windturbine",
    "zonnepark",
    "grondwater",
    "drinkwater",
    "overstroming",
    "dijkversterking",
    "mijnbouw",
    "staatsmijnen",
    "woningbouw",
    "krimp",
    "grensoverschrijdend",
    "euregio",
    "arbeidsmarkt",
    "onderwijs",
    "cultuur",
    "sport",
    "toerisme",
)
SOORTEN = (
    "besluit",
    "brief",
    "notulen",
    "rapport",
    "verslag",
    "advies",
    "nota",
    "overeenkomst",
    "beschikking",
    "kaart",
    "tekening",
)
PLAATSEN = (
    "Maastricht",
    "Venlo",
    "Heerlen",
    "Sittard",
    "Geleen",
    "Roermond",
    "Weert",
    "Kerkrade",
    "Venray",
    "Brunssum",
    "Landgraaf",
    "Valkenburg",
    "Gulpen",
    "Vaals",
    "Meerssen",
    "Stein",
    "Echt",
    "Susteren",
    "Horst",
    "Gennep",
    "Peel",
    "Maasgouw",
    "Leudal",
    "Nederweert",
    "Beesel",
)
WERKWOORDEN = (
    "verleend",
    "geweigerd",
    "ingetrokken",
    "gewijzigd",
    "verlengd",
    "aangevraagd",
    "besproken",
    "vastgesteld",
)
CATEGORIEEN = (
    "Vergunningen",
    "Besluiten",
    "Overeenkomsten",
    "Vergaderstukken",
    "Adviezen",
    "Subsidieverplichtingen",
    "Jaarplannen",
    "Klachtoordelen",
    "Onderzoeksrapporten",
    "Convenanten",
)
ORGANISATIES = (
    "Provincie Limburg",
    "Gedeputeerde Staten",
    "Provinciale Staten",
    "Waterschap Limburg",
    "Rijkswaterstaat",
    "Gemeente Maastricht",
    "Gemeente Venlo",
    "Staatsmijnen",
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_params(query: Query) -> dict[str, str]:
    params = {"q": query.text}
    for facet, values in query.filters.items():
        params[facet.value] = values[0]
    return params


async def _paced(
    base: str, workload: list[Query], clients: int, pause: float, warmup: float, seconds: float
) -> dict[str, float]:
    """`clients` clients, each asking one query, waiting for the answer, then `pause` seconds (a person
    reading the results) before the next; latencies measured after `warmup`."""
    latencies: list[float] = []
    errors = 0
    params = [http_params(q) for q in workload]
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        start = time.perf_counter()
        measure_from, stop_at = start + warmup, start + warmup + seconds

        async def one_client(number: int) -> None:
            nonlocal errors
            i = number
            await asyncio.sleep(pause * number / clients)  # spread the clients over one pause
            while (now := time.perf_counter()) < stop_at:
                response = await client.get("/api/public/v1/search", params=params[i % len(params)])
                done = time.perf_counter()
                i += clients
                if now >= measure_from:
                    if response.status_code == 200:
                        latencies.append((done - now) * 1000)
                    else:
                        errors += 1
                await asyncio.sleep(pause)

        await asyncio.gather(*(one_client(n) for n in range(clients)))
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / seconds,
        "p50": statistics.median(latencies),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
    }


WRK_SCRIPT = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK {"requests": %%d, "errors": %%d, "p50": %%f, "p95": %%f, "p99": %%f, "us": %%d}\\n',
    summary.requests, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, summary.duration))
end
"""


def _wrk(base: str, workload: list[Query], clients: int, seconds: float, workdir: Path) -> dict[str, float]:
    """Closed loop with wrk (C, from Debian): every client asks again as soon as it has its answer."""
    from urllib.parse import urlencode

    paths = ", ".join(json.dumps("/api/public/v1/search?" + urlencode(http_params(q))) for q in workload)
    script = workdir / "search.lua"
    script.write_text(WRK_SCRIPT % paths, encoding="utf-8")
    command = ["wrk", "-t2", f"-c{clients}", "--timeout", "30s", "-s", str(script), base]
    subprocess.run([*command[:1], "-d2s", *command[1:]], check=True, capture_output=True)  # warm-up
    done = subprocess.run([*command[:1], f"-d{seconds:.0f}s", *command[1:]], check=True, capture_output=True, text=True)
    line = next(x for x in done.stdout.splitlines() if x.startswith("WRK "))
    found = json.loads(line[4:])
    return {**found, "rps": found["requests"] / (found["us"] / 1e6)}


def run_http(count: int, workload: list[Query], workdir: Path, clients: int, seconds: float) -> dict[str, float]:
    """Index `count` records into a fresh EDEPOT_HOME, serve it with `edepot serve`, load it over HTTP."""
    home = workdir / "http-home"
    shutil.rmtree(home, ignore_errors=True)
    index = open_index("tantivy", home / "index" / "tantivy")
    docs = records(count)
    batch: list[IndexDocument] = []
    for doc in docs:
        batch.append(doc)
        if len(batch) == 5_000:
            index.add(batch)
            batch = []
    index.add(batch)
    index.close()
    port = free_port()
    env = {
        **os.environ,
        "EDEPOT_HOME": str(home),
        "EDEPOT_SEARCH_ENGINE": "tantivy",
        "EDEPOT_PUBLIC_RATE_LIMIT": "off",  # one client address sends everything here
    }
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("edepot")), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(workdir / "server.log", "wb"),  # noqa: SIM115 - closed with the process
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("edepot serve did not start")
        first = httpx.get(f"{base}/api/public/v1/search", params=http_params(workload[0])).json()
        assert isinstance(first.get("total"), int), json.dumps(first)[:300]
        closed = _wrk(base, workload, clients, seconds, workdir) if shutil.which("wrk") else None
        paced = asyncio.run(_paced(base, workload, clients, pause=1.0, warmup=2.0, seconds=seconds))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {"records": count, "clients": clients, "seconds": seconds, "closed": closed, "paced": paced}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000, help="records for tantivy (default 100,000)")
    parser.add_argument(
        "--whoosh-records",
        type=int,
        default=20_000,
        help="records for whoosh (default 20,000: pure Python indexes slowly)",
    )
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--clients", type=int, default=50, help="concurrent HTTP clients (default 50)")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured HTTP load duration (default 10)")
    parser.add_argument("--only", choices=["http", "inprocess"], default=None, help="run one half only")
    args = parser.parse_args()

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="edepot-bench-search-"))
    workload = queries(args.queries)
    results: dict[str, dict[str, float]] = {}
    try:
        if args.only != "http":
            results["tantivy"] = run("tantivy", args.records, workload, workdir)
            results["whoosh"] = run("whoosh", args.whoosh_records, workload, workdir)
        if args.only != "inprocess":
            results["http"] = run_http(args.records, workload, workdir, args.clients, args.seconds)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)

    print(f"search benchmark: {args.queries} two-word public queries with one facet filter, seed {SEED}")
    if "tantivy" in results:
        if args.whoosh_records != args.records:
            print(
                f"NOTE: whoosh indexed {args.whoosh_records:,} records, tantivy {args.records:,} "
                "(query latency of whoosh is therefore measured on a smaller index)"
            )
        print(
            f"{'engine':8} {'records':>9} {'index s':>8} {'records/s':>10} {'p50 ms':>8} {'p95 ms':>8} {'avg hits':>9}"
        )
        for name in ("tantivy", "whoosh"):
            r = results[name]
            print(
                f"{name:8} {r['records']:>9,.0f} {r['seconds']:>8.1f} {r['rate']:>10,.0f} "
                f"{r['p50']:>8.2f} {r['p95']:>8.2f} {r['mean_total']:>9.0f}"
            )
        t, w = results["tantivy"], results["whoosh"]
        print(
            f"ratio tantivy/whoosh: indexing {t['rate'] / w['rate']:.1f}x faster, "
            f"query p50 {w['p50'] / t['p50']:.1f}x faster, p95 {w['p95'] / t['p95']:.1f}x faster"
        )
        print(f"issue 8 targets (tantivy): >= 5,000 records/s -> {t['rate']:,.0f}; p95 <= 5 ms -> {t['p95']:.2f} ms")
    if "http" in results:
        h = results["http"]
        print(
            f"HTTP GET /api/public/v1/search: `edepot serve` (uvicorn, 1 process) on 127.0.0.1, {h['records']:,} "
            f"records, {h['clients']} concurrent clients, {h['seconds']:.0f} s measured, {os.cpu_count()} CPUs "
            "shared by server and load generator"
        )
        rows = [
            ("closed loop (wrk: ask again at once)", h["closed"]),
            ("paced (httpx: 1 s to read, then ask)", h["paced"]),
        ]
        for label, r in rows:
            if r is None:
                print(f"  {label:38} skipped: wrk is not installed (apt-get install wrk)")
                continue
            print(
                f"  {label:38} {r['requests']:>7,.0f} requests {r['errors']:>3.0f} errors {r['rps']:>7,.0f}/s  "
                f"p50 {r['p50']:>7.1f} ms  p95 {r['p95']:>7.1f} ms  p99 {r['p99']:>7.1f} ms"
            )
        if "tantivy" in results:
            print(f"  ratio paced HTTP p50 / in-process p50: {h['paced']['p50'] / results['tantivy']['p50']:.1f}x")
        worst = h["closed"] or h["paced"]
        print(
            f"issue 8 target (HTTP): p95 <= 50 ms with 50 concurrent clients -> closed loop "
            f"{worst['p95']:.1f} ms, paced {h['paced']['p95']:.1f} ms"
        )


if __name__ == "__main__":
    main()
