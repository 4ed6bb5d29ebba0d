"""Search benchmark: indexing records/s and query latency per engine, in process.

100,000 generated records (Dutch-ish titles, descriptions and a short full text from word lists,
fixed seed; a quarter restricted or unpublished) are indexed in bulk by each engine; then
two-word queries with a facet filter run as the public audience, and p50/p95 latency is measured
(the full search: hits, total, every facet count and snippets). The printed ratio tantivy/whoosh
compares the two engines measured in the same run; tantivy also indexes the same records once with
compound splitting switched off, and the ratio shows what decompounding costs. Issue 8's targets
for tantivy: at least 5,000 records/s indexing, p95 at most 5 ms. Nothing here asserts.

Whoosh is pure Python and indexes slowly, so by default it gets fewer records (--whoosh-records);
the report says so.

The HTTP half: the same tantivy records are indexed into the data directory of a real `edepot serve`
(uvicorn, public rate limit off) on 127.0.0.1, served in three setups: one worker without the result
cache (cold: every request runs the engine), --workers workers without the cache (cold), and
--workers workers with the cache (warm: the workload's 500 queries repeat). Each setup gets two
loads of GET /api/public/v1/search for --seconds after a warm-up (closed loop: rounds of two
seconds until the throughput stops rising, so that every worker's cache holds the workload before
it is measured), reported as requests/s and p50/p95/p99 latency:
- closed loop (wrk, when installed): --clients connections, each asking again as soon as it has its
  answer; latency is then at least clients / throughput, whatever the server does;
- open loop (httpx, asyncio, in this process): --rate requests per second on a fixed schedule,
  whether or not earlier ones were answered (50/s = 50 visitors who each search once a second);
  latency counts from the scheduled moment.
The load generator shares the machine's cores with the server (and with anything else running):
the CPU count is printed, and the figures are noisy. Issue 8's target: p95 <= 50 ms with 50
concurrent clients.

Usage: python bench/search.py [--records 100000] [--whoosh-records 20000] [--queries 500] [--workdir DIR]
                              [--clients 50] [--seconds 10] [--rate 50] [--workers 2] [--only http|inprocess]
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
from typing import Any

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


def rate_without_decompounding(docs: list[IndexDocument], workdir: Path) -> float:
    """Tantivy's indexing rate for `docs` with compound splitting switched off: the baseline that
    shows, in the same run, what decompounding (edepot/search/samenstelling.py) costs."""
    from edepot.search import tantivy_index

    path = workdir / "tantivy-no-delen"
    shutil.rmtree(path, ignore_errors=True)
    split = tantivy_index.delen_tekst
    tantivy_index.delen_tekst = lambda *texts: ""
    try:
        index = open_index("tantivy", path)
        start = time.perf_counter()
        for offset in range(0, len(docs), 5_000):
            index.add(docs[offset : offset + 5_000])
        index.commit()
        seconds = time.perf_counter() - start
        index.close()
    finally:
        tantivy_index.delen_tekst = split
        shutil.rmtree(path, ignore_errors=True)
    return len(docs) / seconds


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
    baseline = rate_without_decompounding(docs, workdir) if engine == "tantivy" else None
    return {
        "records": count,
        "rate": count / indexing,
        "rate_plain": baseline or 0.0,
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


async def _open_loop(base: str, workload: list[Query], rate: float, warmup: float, seconds: float) -> dict[str, float]:
    """An open loop: one request every 1/`rate` seconds, sent on schedule whether or not earlier ones
    were answered (as 50 visitors who each search once a second do, at rate 50). Latency counts from
    the scheduled moment, so a server that falls behind shows it (no coordinated omission)."""
    latencies: list[float] = []
    errors = 0
    params = [http_params(q) for q in workload]
    limits = httpx.Limits(max_connections=500, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        start = time.perf_counter()
        measure_from = start + warmup
        total = int((warmup + seconds) * rate)

        async def one(number: int) -> None:
            nonlocal errors
            scheduled = start + number / rate
            await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
            try:
                response = await client.get("/api/public/v1/search", params=params[number % len(params)])
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            done = time.perf_counter()
            if scheduled >= measure_from:
                if ok:
                    latencies.append((done - scheduled) * 1000)
                else:
                    errors += 1

        await asyncio.gather(*(one(n) for n in range(total)))
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


WARMUP_ROUNDS = 10  # at most, of two seconds each


def _wrk(base: str, workload: list[Query], clients: int, seconds: float, workdir: Path) -> dict[str, float]:
    """Closed loop with wrk (C, from Debian): every client asks again as soon as it has its answer."""
    from urllib.parse import urlencode

    paths = ", ".join(json.dumps("/api/public/v1/search?" + urlencode(http_params(q))) for q in workload)
    script = workdir / "search.lua"
    script.write_text(WRK_SCRIPT % paths, encoding="utf-8")
    command = ["wrk", "-t2", f"-c{clients}", "--timeout", "30s", "-s", str(script), base]

    def load(duration: float) -> dict[str, float]:
        done = subprocess.run(
            [*command[:1], f"-d{duration:.0f}s", *command[1:]], check=True, capture_output=True, text=True
        )
        line = next(x for x in done.stdout.splitlines() if x.startswith("WRK "))
        found = json.loads(line[4:])
        return {**found, "rps": found["requests"] / (found["us"] / 1e6)}

    # Warm up until the throughput stops rising: with the result cache, every worker process has to
    # answer each of the workload's queries once before it serves them all from its cache (a fixed
    # two-second warm-up left the cache half cold, and those misses were measured as the tail).
    previous, rounds = load(2)["rps"], 1
    while rounds < WARMUP_ROUNDS:
        current, rounds = load(2)["rps"], rounds + 1
        if rounds >= 3 and current < previous * 1.05:
            break
        previous = current
    return {**load(seconds), "warmup_rounds": rounds}


def _serve(home: Path, workdir: Path, workers: int, cache: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "EDEPOT_HOME": str(home),
        "EDEPOT_SEARCH_ENGINE": "tantivy",
        "EDEPOT_PUBLIC_RATE_LIMIT": "off",  # one client address sends everything here
        "EDEPOT_SEARCH_CACHE": str(cache),
        "EDEPOT_WEB_WORKERS": str(workers),
    }
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("edepot")), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(workdir / f"server-{workers}-{cache}.log", "wb"),  # noqa: SIM115 - closed with the process
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return server, base
        except httpx.TransportError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("edepot serve did not start")


def run_http(
    count: int, workload: list[Query], workdir: Path, clients: int, seconds: float, rate: float, workers: int
) -> dict[str, Any]:
    """Index `count` records into a fresh EDEPOT_HOME, then serve it with `edepot serve` per setup
    (workers, result cache off = cold / on = warm) and load it over HTTP, closed and open loop."""
    home = workdir / "http-home"
    shutil.rmtree(home, ignore_errors=True)
    index = open_index("tantivy", home / "index" / "tantivy")
    batch: list[IndexDocument] = []
    for doc in records(count):
        batch.append(doc)
        if len(batch) == 5_000:
            index.add(batch)
            batch = []
    index.add(batch)
    index.close()
    setups = [("1 worker, no cache (cold)", 1, 0)]
    if workers > 1:
        setups.append((f"{workers} workers, no cache (cold)", workers, 0))
    setups.append((f"{workers} worker(s), result cache (warm)", workers, 1_000))
    runs: dict[str, Any] = {}
    for label, n, cache in setups:
        server, base = _serve(home, workdir, n, cache)
        try:
            first = httpx.get(f"{base}/api/public/v1/search", params=http_params(workload[0])).json()
            assert isinstance(first.get("total"), int), json.dumps(first)[:300]
            closed = _wrk(base, workload, clients, seconds, workdir) if shutil.which("wrk") else None
            opened = asyncio.run(_open_loop(base, workload, rate, warmup=2.0, seconds=seconds))
        finally:
            server.terminate()
            server.wait(timeout=30)
        runs[label] = {"closed": closed, "open": opened}
    return {"records": count, "clients": clients, "seconds": seconds, "rate": rate, "runs": runs}


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
    parser.add_argument("--rate", type=float, default=50.0, help="open-loop requests/s (default 50)")
    parser.add_argument("--workers", type=int, default=2, help="edepot serve worker processes (default 2)")
    parser.add_argument("--only", choices=["http", "inprocess"], default=None, help="run one half only")
    args = parser.parse_args()

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="edepot-bench-search-"))
    workload = queries(args.queries)
    results: dict[str, dict[str, Any]] = {}
    try:
        if args.only != "http":
            results["tantivy"] = run("tantivy", args.records, workload, workdir)
            results["whoosh"] = run("whoosh", args.whoosh_records, workload, workdir)
        if args.only != "inprocess":
            results["http"] = run_http(
                args.records, workload, workdir, args.clients, args.seconds, args.rate, args.workers
            )
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
        print(
            f"tantivy indexing with / without compound splitting (same run, same records): {t['rate']:,.0f} / "
            f"{t['rate_plain']:,.0f} records/s = {t['rate'] / t['rate_plain']:.2f}"
        )
        print(f"issue 8 targets (tantivy): >= 5,000 records/s -> {t['rate']:,.0f}; p95 <= 5 ms -> {t['p95']:.2f} ms")
    if "http" in results:
        h = results["http"]
        print(
            f"HTTP GET /api/public/v1/search: `edepot serve` on 127.0.0.1, {h['records']:,} records, "
            f"{h['seconds']:.0f} s measured per run, {os.cpu_count()} CPUs shared by server, load generator "
            "(and anything else running on this machine: figures are noisy)"
        )
        closed_label = f"closed loop, {h['clients']} clients (wrk)"
        open_label = f"open loop, {h['rate']:.0f} req/s (httpx)"
        for setup, measured in h["runs"].items():
            print(f"  {setup}")
            for label, r in ((closed_label, measured["closed"]), (open_label, measured["open"])):
                if r is None:
                    print(f"    {label:32} skipped: wrk is not installed (apt-get install wrk)")
                    continue
                warmed = f"  (after {r['warmup_rounds']:.0f} x 2 s warm-up)" if "warmup_rounds" in r else ""
                print(
                    f"    {label:32} {r['requests']:>7,.0f} requests {r['errors']:>3.0f} errors {r['rps']:>7,.0f}/s  "
                    f"p50 {r['p50']:>7.1f} ms  p95 {r['p95']:>7.1f} ms  p99 {r['p99']:>7.1f} ms{warmed}"
                )
        cold = next(iter(h["runs"].values()))
        if "tantivy" in results:
            ratio = cold["open"]["p50"] / results["tantivy"]["p50"]
            print(f"  ratio cold open-loop HTTP p50 / in-process p50: {ratio:.1f}x")
        for setup, measured in h["runs"].items():
            closed = measured["closed"] or measured["open"]
            print(
                f"issue 8 target (HTTP p95 <= 50 ms), {setup}: closed loop {closed['p95']:.1f} ms, "
                f"open loop {measured['open']['p95']:.1f} ms"
            )
        print(
            "  (a closed loop of N clients waits at least N / throughput per request: with 50 clients and "
            "~5 ms of CPU per uncached query on 2 cores, p95 <= 50 ms needs cached answers)"
        )


if __name__ == "__main__":
    main()
