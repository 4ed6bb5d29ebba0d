"""The fixity-audit report for the provinciearchivaris, in Dutch, as HTML (with an inline SVG chart),
PDF (reportlab, the chart drawn with reportlab.graphics), CSV and JSON.

Pure rendering: every function takes the plain data of `edepot.audit.Auditor.report_data` and
returns bytes or text; nothing here reads storage or the catalog. The wording is for a reader who
is not an engineer: a verdict first, then what was checked, what went wrong and what was done
about it, and only then the technical evidence (run ids, software version, event-log hashes).
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

FORMATS = ("html", "pdf", "csv", "json")
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}
MAANDEN = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip
UITKOMSTEN = (  # outcome, label, colour
    ("goed", "goed", "#2e7d32"),
    ("hersteld", "hersteld", "#1565c0"),
    ("onleesbaar", "niet leesbaar", "#ef6c00"),
    ("fout", "beschadigd, niet hersteld", "#c62828"),
)
VERDICT_COLOURS = {"goed": ("#e8f5e9", "#2e7d32"), "let op": ("#fff3e0", "#ef6c00"), "ernstig": ("#ffebee", "#c62828")}


# --- wording -------------------------------------------------------------------------------------


def datum(value: str | date | datetime | None) -> str:
    """'2 maart 2026' (a date) or '2 maart 2026, 14:05 UTC' (a moment)."""
    if value is None or value == "":
        return "nooit"
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    text = f"{value.day} {MAANDEN[value.month - 1]} {value.year}"
    if isinstance(value, datetime):
        text += f", {value:%H:%M} UTC"
    return text


def getal(n: float, decimals: int = 0) -> str:
    """Dutch number: 1.234.567 or 1,5."""
    text = f"{n:,.{decimals}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def omvang(size: int) -> str:
    """Bytes in words: '1,2 GB' (decimal units, as disks are sold)."""
    for unit, factor in (("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if size >= factor:
            return f"{getal(size / factor, 1)} {unit}"
    return f"{getal(size)} bytes"


def aantal(n: int, enkel: str, meer: str) -> str:
    """'1 bestand', '3 bestanden'."""
    return f"{getal(n)} {enkel if n == 1 else meer}"


def dagen(value: float | None) -> str:
    if value is None:
        return "nog nooit gecontroleerd"
    whole = int(value)
    return "vandaag" if whole == 0 else ("1 dag" if whole == 1 else f"{whole} dagen")


def oordeel(data: dict[str, Any]) -> tuple[str, str, list[str]]:
    """(level goed | let op | ernstig, headline, explanation lines) for the top of the report."""
    status = data["status"]
    lines: list[str] = []
    damaged = data["beschadigd"]
    failures = data["failures"]
    repairs = data["repairs"]
    chain = data["event_chain"]
    overdue = status["overdue"]
    if damaged:
        level = "ernstig"
        headline = (
            f"Ernstig: van {aantal(len(damaged), 'archiefpakket', 'archiefpakketten')} is geen onbeschadigde "
            "kopie meer over"
        )
    elif failures or not chain["intact"]:
        level = "let op"
        headline = "Let op: er zijn afwijkingen die nog niet zijn opgelost"
    elif overdue:
        level = "let op"
        headline = "Let op: niet alle kopieën zijn op tijd gecontroleerd"
    else:
        level = "goed"
        headline = "In orde: alle gecontroleerde bestanden zijn ongeschonden"
    totals = data["totals"]
    lines.append(
        f"In deze periode zijn {aantal(totals['objects'], 'bestand', 'bestanden')} ({omvang(totals['bytes'])}) "
        "opnieuw gelezen en vergeleken met hun vastgelegde vingerafdruk, in "
        f"{aantal(totals['checks'], 'controle', 'controles')} van een kopie van een archiefpakket."
    )
    if repairs:
        lines.append(
            f"{aantal(len(repairs), 'bestand was', 'bestanden waren')} in één kopie beschadigd of verdwenen en "
            f"{'is' if len(repairs) == 1 else 'zijn'} hersteld vanuit een andere, gecontroleerde kopie. Na herstel is "
            "opnieuw gecontroleerd: in orde."
        )
    if failures:
        lines.append(
            f"{aantal(len(failures), 'afwijking kon', 'afwijkingen konden')} (nog) niet worden hersteld; "
            "zie 'Afwijkingen en herstel'."
        )
    if damaged:
        lines.append(
            "Van de archiefpakketten onder 'Archiefpakketten zonder goede kopie' is van minstens één bestand geen "
            "enkele goede kopie meer over. Herstel kan dan alleen uit een back-up of bij de leverancier."
        )
    if overdue:
        lines.append(
            f"{aantal(overdue, 'kopie is', 'kopieën zijn')} langer dan de norm van {data['cadence_days']} dagen niet "
            "met goed resultaat gecontroleerd."
        )
    else:
        lines.append(f"Geen enkele kopie is te laat voor haar controle (norm: elke {data['cadence_days']} dagen).")
    lines.append(
        "Het logboek van gebeurtenissen is onveranderd (de keten van vingerafdrukken klopt)."
        if chain["intact"]
        else "Het logboek van gebeurtenissen is NIET intact: er is een gebeurtenis gewijzigd of verwijderd."
    )
    return level, headline, lines


def _store_rows(data: dict[str, Any]) -> list[list[str]]:
    ages = {s["store"]: s for s in data["status"]["stores"]}
    rows = []
    for i, s in enumerate(data["stores"], start=1):
        age = ages.get(s["store"], {})
        outcomes = s["outcomes"]
        rows.append(
            [
                f"Kopie {i}: {s['store']}",
                s["location"],
                getal(s["checks"]),
                getal(s["objects"]),
                omvang(s["bytes"]),
                getal(outcomes.get("goed", 0)),
                getal(outcomes.get("hersteld", 0)),
                getal(outcomes.get("fout", 0) + outcomes.get("onleesbaar", 0)),
                dagen(age.get("oldest_age_days")),
            ]
        )
    return rows


STORE_HEADER = [
    "Kopie",
    "Waar",
    "Pakketten gecontroleerd",
    "Bestanden",
    "Gegevens",
    "Goed",
    "Hersteld",
    "Niet in orde",
    "Oudste controle",
]
WOORDEN = [
    ("Archiefpakket", "Een dossier of zaak zoals het in het e-depot is opgeslagen, met al zijn bestanden en metadata."),
    ("Kopie", "Het e-depot bewaart elk archiefpakket op meer dan één plek. Elke plek heet hier een kopie."),
    (
        "Vingerafdruk (SHA-256)",
        "Een getal dat bij opname uit de inhoud van een bestand is berekend. Verandert er ook maar één bit, "
        "dan verandert de vingerafdruk. De vingerafdrukken staan in de catalogus, los van de opslag.",
    ),
    ("Controle", "Elk bestand van een kopie wordt helemaal gelezen en de vingerafdruk opnieuw berekend en vergeleken."),
    (
        "Herstel",
        "Een beschadigd of verdwenen bestand wordt vervangen door het bestand uit een andere kopie die net is "
        "gecontroleerd; daarna wordt het opnieuw gecontroleerd. Het beschadigde exemplaar wordt bewaard als bewijs.",
    ),
    (
        "Logboek",
        "Elke handeling in het e-depot wordt vastgelegd. Elke regel bevat de vingerafdruk van de vorige, "
        "zodat achteraf wijzigen of weglaten opvalt.",
    ),
]


WAT = {"afwijkend": "inhoud gewijzigd", "ontbreekt": "verdwenen", "onleesbaar": "niet leesbaar"}


def _pakket(p: dict[str, Any]) -> str:
    named = f"{p['title']} ({p['source_key']})" if p.get("title") else ""
    return f"{named}\n{p['aip_id']}" if named else p["aip_id"]


def _repair_rows(items: Sequence[dict[str, Any]]) -> list[list[str]]:
    return [
        [
            datum(p["checked_at"]),
            _pakket(p),
            p["key"].split("/", 2)[-1],
            p["store"],
            WAT.get(p.get("verdict", ""), p.get("verdict", "")),
            f"uit kopie {p.get('repaired_from', '?')}",
        ]
        for p in items
    ]


REPAIR_HEADER = ["Gevonden en hersteld", "Archiefpakket", "Bestand", "Kopie", "Wat was er mis", "Hersteld"]


def _failure_rows(items: Sequence[dict[str, Any]]) -> list[list[str]]:
    return [
        [
            datum(p.get("first_seen") or p["checked_at"]),
            datum(p["checked_at"]),
            _pakket(p),
            p["key"].split("/", 2)[-1],
            p["store"],
            WAT.get(p.get("verdict", ""), p.get("verdict", "")),
        ]
        for p in items
    ]


FAILURE_HEADER = ["Eerst gevonden", "Laatst gecontroleerd", "Archiefpakket", "Bestand", "Kopie", "Wat is er mis"]


def _shown_runs(data: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
    """Runs that checked something, found something or did not finish; and how many others there were."""
    shown = [
        r
        for r in data["runs"]
        if (r.get("summary") or {}).get("objects") or (r.get("summary") or {}).get("problems") or r["status"] != "klaar"
    ]
    return shown, len(data["runs"]) - len(shown)


def _run_rows(data: dict[str, Any]) -> list[list[str]]:
    scopes = {"alle": "alle kopieën", "verlopen": "wat aan de beurt was"}
    status = {"klaar": "afgerond", "bezig": "niet afgerond", "afgebroken": "afgebroken"}
    rows = []
    for r in _shown_runs(data)[0]:
        s = r.get("summary") or {}
        scope = scopes.get(r["scope"], r["scope"].replace("aip ", "één pakket: "))
        rows.append(
            [
                r["id"],
                datum(r["started_at"]),
                scope,
                status.get(r["status"], r["status"]),
                getal(s.get("objects", 0)),
                getal(s.get("problems", 0)),
                getal(s.get("repairs", 0)),
                f"{r['software']}",
            ]
        )
    return rows


RUN_HEADER = ["Controleronde (id)", "Gestart", "Omvang", "Status", "Bestanden", "Afwijkingen", "Hersteld", "Versie"]


UITLEG = (
    "Van elk bestand is bij opname in het e-depot een digitale vingerafdruk vastgelegd. Bij een controle wordt elk "
    "bestand van elke kopie helemaal gelezen en de vingerafdruk opnieuw berekend. Is die gelijk, dan is het bestand "
    "bit voor bit hetzelfde als bij opname. De vergelijking gebeurt met de vingerafdrukken in de catalogus, nooit met "
    "wat de opslag zelf over het bestand zegt."
)
CHART_NOTE = (
    "Elke staaf telt de controles van één kopie van één archiefpakket op die dag (bij een periode van meer dan "
    "120 dagen: per week), gekleurd naar de uitkomst."
)


# --- the chart -----------------------------------------------------------------------------------


def _chart_days(data: dict[str, Any]) -> list[tuple[str, dict[str, int]]]:
    """One entry per day of the period (days without checks too), at most 120 bars (then per week)."""
    from datetime import timedelta

    start = date.fromisoformat(data["period"]["from"])
    end = date.fromisoformat(data["period"]["to"])
    counts = {d["day"]: {k: v for k, v in d.items() if k != "day"} for d in data["daily"]}
    days = []
    day = start
    while day <= end:
        days.append((day.isoformat(), counts.get(day.isoformat(), {})))
        day += timedelta(days=1)
    if len(days) <= 120:
        return days
    weeks: list[tuple[str, dict[str, int]]] = []
    for i in range(0, len(days), 7):
        merged: dict[str, int] = {}
        for _, c in days[i : i + 7]:
            for k, v in c.items():
                merged[k] = merged.get(k, 0) + v
        weeks.append((days[i][0], merged))
    return weeks


def chart_svg(data: dict[str, Any], width: int = 760, height: int = 260) -> str:
    """Stacked bars of checks per day (per week for long periods) by outcome, as inline SVG."""
    bars = _chart_days(data)
    left, right, top, bottom = 56, 12, 16, 48
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([sum(c.values()) for _, c in bars] + [1])
    step = _nice_step(peak)
    ceiling = step * -(-peak // step)
    bar_w = plot_w / max(len(bars), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'role="img" aria-labelledby="grafiek-titel" font-family="sans-serif" font-size="11">',
        '<title id="grafiek-titel">Aantal controles per dag, naar uitkomst</title>',
        f'<text x="12" y="{top + plot_h / 2:.0f}" transform="rotate(-90 12 {top + plot_h / 2:.0f})" '
        'text-anchor="middle" fill="#444">controles</text>',
    ]
    for tick in range(0, ceiling + 1, step):
        y = top + plot_h - plot_h * tick / ceiling
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#444">{getal(tick)}</text>')
    for i, (day, counts) in enumerate(bars):
        x = left + i * bar_w
        y = top + plot_h
        for outcome, label, colour in UITKOMSTEN:
            n = counts.get(outcome, 0)
            if not n:
                continue
            h = plot_h * n / ceiling
            y -= h
            parts.append(
                f'<rect x="{x + bar_w * 0.1:.1f}" y="{y:.1f}" width="{max(bar_w * 0.8, 1):.1f}" height="{h:.1f}" '
                f'fill="{colour}"><title>{html.escape(datum(day))}: {getal(n)} {label}</title></rect>'
            )
    every = max(1, len(bars) // 8)
    for i, (day, _) in enumerate(bars):
        if i % every == 0 or (i == len(bars) - 1 and len(bars) < 8):
            d = date.fromisoformat(day)
            x = left + (i + 0.5) * bar_w
            parts.append(
                f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle" fill="#444">'
                f"{d.day} {MAANDEN[d.month - 1][:3]}</text>"
            )
    parts.append(f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#888"/>')
    x = left
    for _, label, colour in UITKOMSTEN:
        parts.append(f'<rect x="{x}" y="{height - 16}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14}" y="{height - 7}" fill="#222">{label}</text>')
        x += 24 + 7 * len(label)
    parts.append("</svg>")
    return "".join(parts)


def _nice_step(peak: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000):
        if peak / step <= 5:
            return step
    return 10 ** len(str(peak)) // 5 or 1


# --- HTML ------------------------------------------------------------------------------------------


def _table(
    header: Sequence[str], rows: Sequence[Sequence[str]], numeric_from: int = 99, first_class: str = "", cls: str = ""
) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)

    def td(i: int, value: object) -> str:
        kind = "num" if i >= numeric_from else (first_class if i == 0 else "")
        text = html.escape(str(value)).replace("\n", '<br><span class="klein">', 1)
        if "<br>" in text:
            text += "</span>"
        return f'<td class="{kind}">{text}</td>' if kind else f"<td>{text}</td>"

    body = "".join("<tr>" + "".join(td(i, c) for i, c in enumerate(row)) + "</tr>" for row in rows)
    attribute = f' class="{cls}"' if cls else ""
    return f"<table{attribute}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1b1b1b;max-width:1000px;margin:2rem auto;
padding:0 1.2rem;line-height:1.45}
h1{font-size:1.6rem;margin:0 0 .2rem}
h2{font-size:1.2rem;margin:2rem 0 .6rem;border-bottom:2px solid #e0e0e0;padding-bottom:.2rem}
.sub{color:#555;margin:0 0 1.2rem}.verdict{border-left:6px solid;padding:.8rem 1rem;border-radius:4px}
.verdict h2{border:0;margin:0 0 .4rem;padding:0}.verdict p{margin:.3rem 0}
.cijfers{display:flex;gap:.8rem;flex-wrap:wrap;margin:1rem 0}.cijfer{flex:1 1 130px;background:#f5f5f5;
border-radius:6px;padding:.7rem .9rem}
.cijfer b{display:block;font-size:1.5rem}.cijfer span{color:#555;font-size:.9rem}
table{border-collapse:collapse;width:100%;font-size:.88rem;margin:.4rem 0}
th,td{border:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f0f0}td.num{text-align:right;white-space:nowrap}
td{word-break:break-word}.klein{color:#555;font-size:.85rem}
dl{display:grid;grid-template-columns:12rem 1fr;gap:.3rem 1rem}
dt{font-weight:600}dd{margin:0}.geen{color:#2e7d32}td.id{font-family:monospace;font-size:.75rem}
svg{width:100%;height:auto}table.runs td:nth-child(4),table.runs td:nth-child(2){white-space:nowrap}
@media print{body{margin:0;max-width:none}}
"""


def verantwoording(data: dict[str, Any]) -> str:
    software = data["software"]
    return (
        f"Software: {software['name']} versie {software['version']}. Norm: elke kopie van elk bestand minstens eens "
        f"per {data['cadence_days']} dagen gecontroleerd. Elke controleronde, elke afwijking en elk herstel staat ook "
        "als gebeurtenis in het logboek."
    )


def _runs_note(data: dict[str, Any]) -> str:
    _, others = _shown_runs(data)
    if not others:
        return ""
    return (
        f"Daarnaast {'is' if others == 1 else 'zijn'} er {aantal(others, 'controleronde', 'controlerondes')} "
        "geweest waarin geen kopie aan de beurt was (alles was nog binnen de norm gecontroleerd)."
    )


def _runs_html(data: dict[str, Any]) -> str:
    shown, _ = _shown_runs(data)
    note = _runs_note(data)
    if not shown:
        return f"<p>{html.escape(note or 'Er zijn in deze periode geen controlerondes gestart.')}</p>"
    table = _table(RUN_HEADER, _run_rows(data), numeric_from=4, first_class="id", cls="runs")
    return table + (f'<p class="klein">{html.escape(note)}</p>' if note else "")


def render_html(data: dict[str, Any]) -> str:
    level, headline, lines = oordeel(data)
    bg, fg = VERDICT_COLOURS[level]
    status = data["status"]
    period = f"{datum(data['period']['from'])} tot en met {datum(data['period']['to'])}"
    chain = data["event_chain"]
    out = [
        "<!doctype html>",
        '<html lang="nl"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Controlerapport e-depot {html.escape(period)}</title>",
        f"<style>{CSS}</style></head><body>",
        "<h1>Controlerapport e-depot: zijn de archiefbestanden ongeschonden?</h1>",
        f'<p class="sub">{html.escape(data["organisation"])} &middot; periode {html.escape(period)} &middot; '
        f"opgesteld op {html.escape(datum(data['generated_at']))}</p>",
        f'<section class="verdict" style="background:{bg};border-color:{fg}">',
        f'<h2 style="color:{fg}">{html.escape(headline)}</h2>',
        *(f"<p>{html.escape(line)}</p>" for line in lines),
        "</section>",
        '<div class="cijfers">',
        f'<div class="cijfer"><b>{getal(data["totals"]["objects"])}</b><span>bestanden gecontroleerd</span></div>',
        f'<div class="cijfer"><b>{omvang(data["totals"]["bytes"])}</b><span>gegevens gelezen</span></div>',
        f'<div class="cijfer"><b>{len(data["repairs"])}</b><span>bestanden hersteld</span></div>',
        f'<div class="cijfer"><b>{len(data["failures"])}</b><span>afwijkingen niet hersteld</span></div>',
        f'<div class="cijfer"><b>{dagen(status["oldest_age_days"])}</b><span>oudste controle '
        f"(norm: {data['cadence_days']} dagen)</span></div>",
        "</div>",
        "<h2>Wat is er gecontroleerd?</h2>",
        f"<p>{html.escape(UITLEG)}</p>",
        _table(STORE_HEADER, _store_rows(data), numeric_from=2),
        '<p class="klein">"Pakketten gecontroleerd" telt elke controle van één kopie van één archiefpakket. '
        '"Oudste controle": hoe lang geleden de kopie die het langst niet is gecontroleerd voor het laatst in orde '
        "werd bevonden.</p>",
        "<h2>Controles per dag</h2>",
        chart_svg(data),
        f'<p class="klein">{html.escape(CHART_NOTE)}</p>',
        "<h2>Afwijkingen en herstel</h2>",
    ]
    if data["repairs"]:
        out += ["<h3>Hersteld</h3>", _table(REPAIR_HEADER, _repair_rows(data["repairs"]))]
    if data["failures"]:
        out += ["<h3>Niet hersteld</h3>", _table(FAILURE_HEADER, _failure_rows(data["failures"]))]
    if not data["repairs"] and not data["failures"]:
        out.append('<p class="geen">Geen: in deze periode is bij geen enkele controle een afwijking gevonden.</p>')
    out.append("<h2>Archiefpakketten zonder goede kopie</h2>")
    if data["beschadigd"]:
        out.append(
            _table(
                ["Titel", "Kenmerk", "Archiefpakket (id)"],
                [[b["title"], b["source_key"], b["aip_id"]] for b in data["beschadigd"]],
            )
        )
        out.append(
            "<p>Deze pakketten zijn gemarkeerd als <b>beschadigd</b>. Ze blijven bij elke controle terugkomen tot ze "
            "uit een back-up of bij de leverancier zijn hersteld.</p>"
        )
    else:
        out.append('<p class="geen">Geen.</p>')
    out += [
        "<h2>Logboek van gebeurtenissen</h2>",
        (
            f"<p>Alle {getal(chain['events'])} gebeurtenissen in het logboek zijn gecontroleerd: de keten is intact. "
            f'De laatste vingerafdruk is <code class="klein">{html.escape(chain["head"] or "-")}</code>.</p>'
            if chain["intact"]
            else f"<p><b>De keten is verbroken</b> ({len(chain['findings'])} bevinding(en)):</p>"
            + _table(["Waar", "Bevinding"], [[f.get("object") or "", f["message"]] for f in chain["findings"]])
        ),
        "<h2>Verantwoording</h2>",
        f"<p>{html.escape(verantwoording(data))}</p>",
        _runs_html(data),
        "<h2>Woordenlijst</h2><dl>",
        *(f"<dt>{html.escape(w)}</dt><dd>{html.escape(u)}</dd>" for w, u in WOORDEN),
        "</dl></body></html>",
    ]
    return "\n".join(out)


# --- CSV and JSON ----------------------------------------------------------------------------------

CSV_HEADER = ["soort", "datum", "controleronde", "kopie", "archiefpakket", "bestand", "uitkomst", "toelichting",
              "pakketten", "bestanden", "bytes"]  # fmt: skip


def render_csv(data: dict[str, Any]) -> str:
    """One table: a row per store (totals), per repair, per unrepaired problem and per run (`soort`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    period = f"{data['period']['from']}/{data['period']['to']}"
    for s in data["stores"]:
        outcomes = "; ".join(f"{k} {v}" for k, v in sorted(s["outcomes"].items()))
        writer.writerow(
            ["opslag", period, "", s["store"], "", "", outcomes, s["location"], s["checks"], s["objects"], s["bytes"]]
        )
    for kind, items in (("herstel", data["repairs"]), ("afwijking", data["failures"])):
        for p in items:
            note = f"hersteld uit {p.get('repaired_from')}" if kind == "herstel" else p.get("detail", "")
            writer.writerow(
                [kind, p["checked_at"], p["run_id"], p["store"], p["aip_id"], p["key"], p["verdict"], note, "", "", ""]
            )
    for r in data["runs"]:
        s = r.get("summary") or {}
        writer.writerow(
            [
                "controleronde",
                r["started_at"],
                r["id"],
                "",
                "",
                "",
                r["status"],
                f"{r['scope']}; {r['software']}",
                s.get("checks", 0),
                s.get("objects", 0),
                s.get("bytes", 0),
            ]
        )
    chain = data["event_chain"]
    writer.writerow(
        [
            "logboek",
            data["generated_at"],
            "",
            "",
            "",
            "",
            "intact" if chain["intact"] else "verbroken",
            chain["head"] or "",
            "",
            chain["events"],
            "",
        ]
    )
    return buffer.getvalue()


def render_json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)


# --- PDF -------------------------------------------------------------------------------------------


def render_pdf(data: dict[str, Any]) -> bytes:
    """The same report as the HTML, laid out for A4 with reportlab; the chart as reportlab graphics."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontSize=9.5, leading=13, alignment=TA_LEFT)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10, textColor=colors.HexColor("#555555"))
    cell = ParagraphStyle("cell", parent=body, fontSize=7.5, leading=9)
    h1 = ParagraphStyle("h1", parent=styles["Heading1"], fontSize=16, leading=20, spaceAfter=2)
    h2 = ParagraphStyle(
        "h2", parent=styles["Heading2"], fontSize=12, leading=15, spaceBefore=10, spaceAfter=4, keepWithNext=1
    )
    level, headline, lines = oordeel(data)
    bg, fg = VERDICT_COLOURS[level]
    period = f"{datum(data['period']['from'])} tot en met {datum(data['period']['to'])}"

    def esc(text: object) -> str:
        return html.escape(str(text))

    def table(header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float]) -> Table:
        content = [[Paragraph(f"<b>{esc(h)}</b>", cell) for h in header]]
        content += [[Paragraph(esc(c).replace("\n", "<br/>"), cell) for c in row] for row in rows]
        t = Table(content, colWidths=[w * mm for w in widths], repeatRows=1)
        t.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#cccccc")),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f0f0f0")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return t

    verdict = Table(
        [[Paragraph(f'<font color="{fg}"><b>{esc(headline)}</b></font>', body)]]
        + [[Paragraph(esc(line), body)] for line in lines],
        colWidths=[170 * mm],
    )
    verdict.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(bg)),
                ("LINEBEFORE", (0, 0), (0, -1), 4, colors.HexColor(fg)),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    status = data["status"]
    chain = data["event_chain"]
    story: list[Any] = [
        Paragraph("Controlerapport e-depot: zijn de archiefbestanden ongeschonden?", h1),
        Paragraph(
            f"{esc(data['organisation'])} · periode {esc(period)} · opgesteld op {esc(datum(data['generated_at']))}",
            small,
        ),
        Spacer(1, 4 * mm),
        verdict,
        Spacer(1, 3 * mm),
        table(
            ["Bestanden gecontroleerd", "Gegevens gelezen", "Hersteld", "Niet hersteld", "Oudste controle"],
            [
                [
                    getal(data["totals"]["objects"]),
                    omvang(data["totals"]["bytes"]),
                    getal(len(data["repairs"])),
                    getal(len(data["failures"])),
                    f"{dagen(status['oldest_age_days'])} (norm {data['cadence_days']} dagen)",
                ]
            ],
            [34, 34, 30, 30, 42],
        ),
        Paragraph("Wat is er gecontroleerd?", h2),
        Paragraph(
            UITLEG,
            body,
        ),
        Spacer(1, 2 * mm),
        table(STORE_HEADER, _store_rows(data), [20, 34, 18, 19, 19, 11, 16, 14, 19]),
        KeepTogether([Paragraph("Controles per dag", h2), _pdf_chart(data), Paragraph(CHART_NOTE, small)]),
    ]
    blocks: list[list[Any]] = []
    if data["repairs"]:
        repaired = table(REPAIR_HEADER, _repair_rows(data["repairs"]), [26, 30, 46, 18, 26, 24])
        blocks.append([Paragraph("<b>Hersteld</b>", body), repaired])
    if data["failures"]:
        failures = table(FAILURE_HEADER, _failure_rows(data["failures"]), [24, 24, 48, 30, 18, 26])
        blocks.append([Paragraph("<b>Niet hersteld</b>", body), failures])
    if not blocks:
        blocks.append([Paragraph("Geen: in deze periode is bij geen enkele controle een afwijking gevonden.", body)])
    blocks[0].insert(0, Paragraph("Afwijkingen en herstel", h2))  # a heading never ends a page alone
    story += [KeepTogether(block) for block in blocks]
    story.append(Paragraph("Archiefpakketten zonder goede kopie", h2))
    if data["beschadigd"]:
        story.append(
            table(
                ["Titel", "Kenmerk", "Archiefpakket (id)"],
                [[b["title"], b["source_key"], b["aip_id"]] for b in data["beschadigd"]],
                [70, 40, 60],
            )
        )
        story.append(
            Paragraph(
                "Deze pakketten zijn gemarkeerd als <b>beschadigd</b>. Ze blijven bij elke controle terugkomen tot ze "
                "uit een back-up of bij de leverancier zijn hersteld.",
                body,
            )
        )
    else:
        story.append(Paragraph("Geen.", body))
    story.append(Paragraph("Logboek van gebeurtenissen", h2))
    if chain["intact"]:
        story.append(
            Paragraph(
                f"Alle {getal(chain['events'])} gebeurtenissen in het logboek zijn gecontroleerd: de keten is intact. "
                f"De laatste vingerafdruk is <font size=7>{esc(chain['head'] or '-')}</font>.",
                body,
            )
        )
    else:
        story.append(Paragraph(f"<b>De keten is verbroken</b> ({len(chain['findings'])} bevinding(en)).", body))
        story.append(
            table(["Waar", "Bevinding"], [[f.get("object") or "", f["message"]] for f in chain["findings"]], [40, 130])
        )
    story += [
        Paragraph("Verantwoording", h2),
        Paragraph(
            esc(verantwoording(data)),
            body,
        ),
        Spacer(1, 2 * mm),
        table(RUN_HEADER, _run_rows(data), [38, 23, 22, 16, 19, 20, 15, 13])
        if _shown_runs(data)[0]
        else Paragraph(_runs_note(data) or "Er zijn in deze periode geen controlerondes gestart.", body),
        Paragraph(_runs_note(data) if _shown_runs(data)[0] else "", small),
        Paragraph("Woordenlijst", h2),
        table(["Woord", "Betekenis"], [list(w) for w in WOORDEN], [35, 135]),
    ]
    buffer = io.BytesIO()

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(colors.HexColor("#666666"))
        canvas.drawString(20 * mm, 10 * mm, f"Controlerapport e-depot · {period}")
        canvas.drawRightString(190 * mm, 10 * mm, f"pagina {doc.page}")
        canvas.restoreState()

    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"Controlerapport e-depot {period}",
        author=str(data["organisation"]),
        subject="Controle van de integriteit (fixiteit) van de opgeslagen archiefbestanden",
    )
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _pdf_chart(data: dict[str, Any]) -> Any:
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.units import mm

    bars = _chart_days(data)
    drawing = Drawing(170 * mm, 62 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y = 12 * mm, 14 * mm
    chart.width, chart.height = 155 * mm, 44 * mm
    chart.data = [[c.get(outcome, 0) for _, c in bars] for outcome, _, _ in UITKOMSTEN]
    chart.categoryAxis.style = "stacked"
    every = max(1, len(bars) // 8)
    labels = []
    for i, (day, _) in enumerate(bars):
        d = date.fromisoformat(day)
        labels.append(f"{d.day} {MAANDEN[d.month - 1][:3]}" if i % every == 0 else "")
    chart.categoryAxis.categoryNames = labels
    chart.categoryAxis.labels.fontSize = 6.5
    chart.categoryAxis.labels.boxAnchor = "n"
    chart.categoryAxis.tickDown = 0
    chart.valueAxis.valueMin = 0
    peak = max([sum(c.values()) for _, c in bars] + [1])
    step = _nice_step(peak)
    chart.valueAxis.valueMax = step * -(-peak // step)
    chart.valueAxis.valueStep = step
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = lambda v: getal(v)
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#dddddd")
    chart.barSpacing = 0.5
    chart.groupSpacing = 1
    for i, (_, _, colour) in enumerate(UITKOMSTEN):
        chart.bars[i].fillColor = colors.HexColor(colour)
        chart.bars[i].strokeColor = None
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 12 * mm, 3 * mm
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.fontSize = 7.5
    legend.dx, legend.dy = 7, 7
    legend.colorNamePairs = [(colors.HexColor(colour), label) for _, label, colour in UITKOMSTEN]
    drawing.add(legend)
    return drawing


def render(data: dict[str, Any], fmt: str) -> bytes:
    """The report in `fmt` (html | pdf | csv | json) as bytes."""
    if fmt == "html":
        return render_html(data).encode()
    if fmt == "pdf":
        return render_pdf(data)
    if fmt == "csv":
        return render_csv(data).encode()
    if fmt == "json":
        return render_json(data).encode()
    from edepot.errors import InvalidInput

    raise InvalidInput(f"unknown report format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}")
