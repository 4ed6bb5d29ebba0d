"""The `edepot woo ...` commands: create, list, show, suggest, redact, publish, retract, sitemaps.
Thin: parse, call the WooService, print (JSON with `--json`); errors map to the usual exit codes
(65 refused input, 66 not found, 73 conflict or a transition the table does not allow, 78 bad
configuration such as a public base URL that is not https).

The command line runs on the server as a trusted operator: `--door NAME` names the person acting
(default: the operating-system user). Publications and withdrawals queue the records concerned
for reindexing in the search index state, so a running `edepot serve` picks them up.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from edepot.cli_common import _emit, _operator, _services, handle_errors, json_option
from edepot.errors import InvalidInput
from edepot.woo.model import PublicatieStatus


def _woo(ctx: click.Context) -> Any:
    if "woo" not in ctx.obj:
        from edepot.woo_service import build_woo

        services = _services(ctx)

        def changed(record_ids: Any) -> None:
            from edepot.search_service import build_search

            state = build_search(services).state
            state.put([row.pending() for row in (state.get(r) for r in record_ids) if row is not None])

        ctx.obj["woo"] = build_woo(services, on_change=changed)
    return ctx.obj["woo"]


def _json_file(path: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}", hint="give a readable JSON file") from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{path} is not JSON: {exc.msg} (line {exc.lineno})", hint="fix the JSON") from None


door_option = click.option("--door", help="Who acts (default: the operating-system user).")


def _line(data: dict[str, Any]) -> str:
    deadline = f"deadline {data['deadline']} ({data['dagen_over']} dagen)" if data.get("deadline") else "no deadline"
    return f"{data['id']}  {data['status']:<13} {deadline}  {data['officiele_titel']}"


@click.group()
def woo() -> None:
    """Woo publication: publicaties, redaction, DiWoo sitemaps, withdrawal."""


@woo.command("create")
@click.option("--file", "json_file", type=click.Path(dir_okay=False), help="The publicatie as JSON (see the API).")
@click.option("--titel", help="Officiële titel of the publicatie.")
@click.option("--categorie", "categorieen", multiple=True, help="Informatiecategorie (TOOI resource or label).")
@click.option("--record", "records", multiple=True, help="E-depot record id to publish (repeat for more).")
@click.option("--handeling", "handelingen", multiple=True, help="soort@time, e.g. vaststelling@2025-05-28T10:00+02:00")
@click.option("--verantwoordelijke", help="Gedeputeerde Staten (default), Provinciale Staten, Commissaris ...")
@click.option("--kenmerk", "kenmerken", multiple=True, help="A kenmerk (e.g. the Woo-verzoek number).")
@door_option
@json_option
@click.pass_context
@handle_errors
def create(
    ctx: click.Context,
    json_file: str | None,
    titel: str | None,
    categorieen: tuple[str, ...],
    records: tuple[str, ...],
    handelingen: tuple[str, ...],
    verantwoordelijke: str | None,
    kenmerken: tuple[str, ...],
    door: str | None,
    as_json: bool,
) -> None:
    """Create a concept publicatie for one or more e-depot records."""
    from edepot.woo_metadata import NieuwePublicatie

    if json_file:
        data = _json_file(json_file)
    else:
        if not titel or not records:
            raise InvalidInput(
                "give --titel, --categorie and --record (or --file)", hint="see `edepot woo create --help`"
            )
        gedaan = []
        for h in handelingen:
            soort, sep, tijdstip = h.partition("@")
            if not sep:
                raise InvalidInput(
                    f"--handeling {h!r} is not soort@time", hint="e.g. vaststelling@2025-05-28T10:00+02:00"
                )
            gedaan.append({"soort": soort, "tijdstip": tijdstip})
        data = {
            "officiele_titel": titel,
            "informatiecategorieen": list(categorieen),
            "verantwoordelijke": verantwoordelijke,
            "kenmerken": list(kenmerken),
            "documenten": [{"record_id": r, "documenthandelingen": gedaan} for r in records],
        }
    service = _woo(ctx)
    rij = service.create(NieuwePublicatie.uit_json(data), door or _operator())
    shown = service.toon(rij.id)
    _emit(as_json, shown, _line(shown))


@woo.command("list")
@click.option("--status", type=click.Choice([s.value for s in PublicatieStatus]))
@json_option
@click.pass_context
@handle_errors
def list_(ctx: click.Context, status: str | None, as_json: bool) -> None:
    """The publicaties, newest first, with their Woo art. 3.3 deadline and days left."""
    data = _woo(ctx).lijst(PublicatieStatus(status) if status else None, 1000, 0)
    _emit(as_json, data, "\n".join(_line(d) for d in data) or "no publicaties")


@woo.command("show")
@click.argument("publicatie_id")
@json_option
@click.pass_context
@handle_errors
def show(ctx: click.Context, publicatie_id: str, as_json: bool) -> None:
    """One publicatie with its documents, whether each may be published, and their redaction logs."""
    data = _woo(ctx).toon(publicatie_id)
    lines = [_line(data)]
    for d in data["documenten"]:
        oordeel = "publiceerbaar" if d["publiceerbaar"]["publiceerbaar"] else d["publiceerbaar"]["reden"]
        lines.append(f"  {d['id']}  record {d['record_id']}  {'gelakt' if d['geredigeerd'] else ''}  {oordeel}")
        lines += [f"      p{r['pagina']} {r['gebied']} {r['grond']} door {r['wie']}" for r in d["redacties"]]
    _emit(as_json, data, "\n".join(lines))


@woo.command("suggest")
@click.argument("document_id")
@json_option
@click.pass_context
@handle_errors
def suggest(ctx: click.Context, document_id: str, as_json: bool) -> None:
    """Redaction suggestions in a document's original PDF (BSN, IBAN, e-mail, phone, postcode, plate)."""
    data = _woo(ctx).suggest(document_id)
    lines = [f"p{s['pagina']}  {s['soort']:<9} {s['grond']:<7} {s['tekst']}" for s in data]
    _emit(as_json, data, "\n".join(lines) or "no suggestions")


@woo.command("redact")
@click.argument("document_id")
@click.option("--tekst", "teksten", multiple=True, help="Text to remove wherever it occurs.")
@click.option("--gebied", "gebieden", multiple=True, help="Area page:x0,y0,x1,y1 in PDF points.")
@click.option("--grond", help="Woo ground for the --tekst/--gebied given (5.1.1a-e, 5.1.2a-i, 5.1.5, 5.2).")
@click.option("--file", "json_file", type=click.Path(dir_okay=False), help='JSON: [{"grond", "tekst"|"gebied"}, ...]')
@door_option
@json_option
@click.pass_context
@handle_errors
def redact(
    ctx: click.Context,
    document_id: str,
    teksten: tuple[str, ...],
    gebieden: tuple[str, ...],
    grond: str | None,
    json_file: str | None,
    door: str | None,
    as_json: bool,
) -> None:
    """Redact a document; the verified PDF becomes a new record and the document's published file."""
    from edepot.woo_service import Markering, markeringen_uit_json, parse_gebied
    from edepot.woo_service import grond as woo_grond

    markeringen = markeringen_uit_json(_json_file(json_file)) if json_file else []
    if teksten or gebieden:
        if not grond:
            raise InvalidInput("--tekst and --gebied need --grond", hint="e.g. --grond 5.1.2e")
        gekozen = woo_grond(grond)
        markeringen += [Markering(gekozen, tekst=t) for t in teksten]
        for gebied in gebieden:
            pagina, rect = parse_gebied(gebied)
            markeringen.append(Markering(gekozen, pagina=pagina, gebied=rect))
    data = _woo(ctx).redact(document_id, markeringen, door or _operator())
    rapport = data["rapport"]
    text = (
        f"{document_id}: {len(rapport['regels'])} area(s) redacted and verified; "
        f"published file is now record {data['gelakt_record_id']}"
        + "".join(f"\n  page {p} rasterised: {why}" for p, why in rapport["gerasterd"].items())
    )
    _emit(as_json, data, text)


@woo.command("publish")
@click.argument("publicatie_id")
@door_option
@json_option
@click.pass_context
@handle_errors
def publish(ctx: click.Context, publicatie_id: str, door: str | None, as_json: bool) -> None:
    """Publish a concept (idempotent): every problem is listed, or DiWoo and sitemaps are written."""
    service = _woo(ctx)
    service.publish(publicatie_id, door or _operator())
    data = service.toon(publicatie_id)
    _emit(as_json, data, _line(data) + "".join(f"\n  {d['url']}" for d in data["documenten"]))


@woo.command("retract")
@click.argument("publicatie_id")
@click.option("--reden", required=True, help="TOOI redenVerwijderingVervanging (resource or label).")
@click.option("--toelichting", help="Shown to the public on the 410 page.")
@click.option("--vervangen-door", help="The publicatie that replaces this one.")
@door_option
@json_option
@click.pass_context
@handle_errors
def retract(
    ctx: click.Context,
    publicatie_id: str,
    reden: str,
    toelichting: str | None,
    vervangen_door: str | None,
    door: str | None,
    as_json: bool,
) -> None:
    """Withdraw a publication (idempotent): urls leave the sitemaps, files answer 410 with the reason."""
    service = _woo(ctx)
    service.retract(publicatie_id, reden, toelichting, door or _operator(), vervangen_door)
    data = service.toon(publicatie_id)
    _emit(as_json, data, _line(data) + f"\n  reden: {data['reden_intrekking']}")


@woo.command("sitemaps")
@json_option
@click.pass_context
@handle_errors
def sitemaps(ctx: click.Context, as_json: bool) -> None:
    """Reconcile robots.txt and the DiWoo sitemaps with what is published (only changed files written)."""
    data = _woo(ctx).sitemaps()
    text = (
        f"{data['urls']} urls in {len(data['indexen'])} index file(s); written: "
        f"{', '.join(data['geschreven']) or 'nothing'}; deleted: {', '.join(data['verwijderd']) or 'nothing'}"
    )
    _emit(as_json, data, text)
