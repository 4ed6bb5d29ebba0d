"""The `edepot retention ...` and `edepot selectielijst ...` commands. Thin: parse, call the
RetentionService, print (JSON with `--json`). Register them at the END of edepot/cli.py:

    from edepot.cli_retention import retention, selectielijst  # noqa: E402
    main.add_command(retention); main.add_command(selectielijst)

The command line runs on the server as a trusted operator (AuthMethod.LOCAL): `--door NAME` names
the person acting (default: the operating-system user); approve and reject act in the archivaris
role, the other changes in the DIM role, so the policy and the segregation of duties (who submits
may not approve) hold here too.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import click

from edepot.auth.policy import Role
from edepot.auth.principal import AuthMethod, Principal
from edepot.cli_common import _emit, _operator, _services, handle_errors, json_option
from edepot.errors import Conflict, InvalidInput
from edepot.retention_workflow import LijstSoort, LijstStatus, UitsluitingSoort


def _retention(ctx: click.Context) -> Any:
    if "retention" not in ctx.obj:
        from edepot.retention_service import build_retention

        ctx.obj["retention"] = build_retention(_services(ctx))
    return ctx.obj["retention"]


def _principal(door: str | None, role: Role) -> Principal:
    name = door or _operator()
    return Principal(subject=name, display_name=name, roles=frozenset({role}), method=AuthMethod.LOCAL)


def _uuid(value: str, what: str = "id") -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise InvalidInput(
            f"{value!r} is not a valid {what} (a UUID)", hint="copy the id from `retention lists`"
        ) from None


def _date(value: str, what: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{what} {value!r} is not a date", hint="write YYYY-MM-DD") from None


door_option = click.option("--door", help="Who acts (default: the operating-system user).")


def _list_line(data: dict[str, Any]) -> str:
    counts = ", ".join(f"{k} {v}" for k, v in data["tellingen"].items()) or "no items"
    return f"{data['id']}  {data['soort']:<18} {data['status']:<16} peildatum {data['peildatum']}  ({counts})"


@click.group()
def retention() -> None:
    """Retention: decisions, vernietigingslijsten and overbrengingslijsten, destruction and transfer."""


@retention.command("nightly")
@click.option("--today", help="The day to decide for (YYYY-MM-DD; default: today).")
@click.option("--no-revisions", is_flag=True, help="Do not write metadata revisions to storage now.")
@click.option("--max-revisions", type=click.IntRange(min=0), help="Write at most this many revisions now.")
@json_option
@click.pass_context
@handle_errors
def nightly(
    ctx: click.Context, today: str | None, no_revisions: bool, max_revisions: int | None, as_json: bool
) -> None:
    """Assign and update decisions, exclusions and proposals (idempotent; safe to rerun after a crash)."""
    service = _retention(ctx)
    day = _date(today, "--today") if today else service.services.clock.now().date()
    report = service.nightly(day, write_revisions=not no_revisions, max_revisions=max_revisions)
    _emit(as_json, report.as_dict(), report.summary())


@retention.command("lists")
@click.option("--soort", type=click.Choice([s.value for s in LijstSoort]))
@click.option("--status", type=click.Choice([s.value for s in LijstStatus]))
@json_option
@click.pass_context
@handle_errors
def lists(ctx: click.Context, soort: str | None, status: str | None, as_json: bool) -> None:
    """The proposal lists, newest first."""
    found = _retention(ctx).catalog.lists(
        soort=LijstSoort(soort) if soort else None, status=LijstStatus(status) if status else None
    )
    data = [lst.as_dict(items=False) for lst in found]
    _emit(as_json, data, "\n".join(_list_line(d) for d in data) or "no lists")


@retention.command("show")
@click.argument("list_id")
@json_option
@click.pass_context
@handle_errors
def show(ctx: click.Context, list_id: str, as_json: bool) -> None:
    """One list with its items and their open exclusions."""
    data = _retention(ctx).show(_uuid(list_id, "list id"))
    lines = [_list_line(data)]
    for item in data["items"]:
        lines.append(
            f"  {item['aip_id']}  {item['status']:<11} {item['source_key']}  "
            f"{item['selectielijst'] or ''} {item['categorie'] or ''}  {item['archiefactiedatum'] or ''}"
            + (f"  ({item['reden']})" if item["reden"] else "")
        )
        lines += [f"      uitsluiting {u['soort']}: {u['reden']}" for u in item["uitsluitingen"]]
    _emit(as_json, data, "\n".join(lines))


@retention.command("decision")
@click.argument("aip_id")
@json_option
@click.pass_context
@handle_errors
def decision(ctx: click.Context, aip_id: str, as_json: bool) -> None:
    """The retention decision of one AIP."""
    found = _retention(ctx).catalog.get_decision(_uuid(aip_id, "AIP id"))
    data = found.as_dict()
    _emit(as_json, data, f"{data['aip_id']}: {data['waardering']} — {data['reden']}")


def _changed(ctx: click.Context, as_json: bool, data: dict[str, Any]) -> None:
    _emit(as_json, data, _list_line(data))


@retention.command("submit")
@click.argument("list_id")
@door_option
@json_option
@click.pass_context
@handle_errors
def submit(ctx: click.Context, list_id: str, door: str | None, as_json: bool) -> None:
    """Put a concept (or reworked) list up for review by the archivaris (DIM)."""
    service = _retention(ctx)
    principal = _principal(door, Role.DIM)
    _changed(ctx, as_json, service.acting(principal).submit(_uuid(list_id), principal).as_dict(items=False))


@retention.command("approve")
@click.argument("list_id")
@click.option("--revisie", type=int, help="The revisie you reviewed; refused if the list changed since.")
@door_option
@json_option
@click.pass_context
@handle_errors
def approve(ctx: click.Context, list_id: str, revisie: int | None, door: str | None, as_json: bool) -> None:
    """Approve a list under review (archivaris); its waiting period starts."""
    principal = _principal(door, Role.ARCHIVARIS)
    service = _retention(ctx).acting(principal)
    _changed(ctx, as_json, service.approve(_uuid(list_id), principal, revisie=revisie).as_dict(items=False))


@retention.command("reject")
@click.argument("list_id")
@click.option("--reden", required=True, help="Why the list is rejected.")
@click.option("--item", "items", multiple=True, metavar="AIP_ID=REDEN", help="A reason for one item (repeatable).")
@door_option
@json_option
@click.pass_context
@handle_errors
def reject(
    ctx: click.Context, list_id: str, reden: str, items: tuple[str, ...], door: str | None, as_json: bool
) -> None:
    """Reject a list under review (archivaris), with a reason per wrong item."""
    per_item: dict[UUID, str] = {}
    for entry in items:
        aip, sep, why = entry.partition("=")
        if not sep or not why.strip():
            raise InvalidInput(f"--item {entry!r} is not AIP_ID=REDEN", hint="e.g. --item 1b2c...=nog in procedure")
        per_item[_uuid(aip.strip(), "AIP id")] = why.strip()
    principal = _principal(door, Role.ARCHIVARIS)
    service = _retention(ctx).acting(principal)
    _changed(ctx, as_json, service.reject(_uuid(list_id), principal, reden, per_item).as_dict(items=False))


@retention.command("remove-item")
@click.argument("list_id")
@click.argument("aip_id")
@click.option("--reden", required=True, help="Why the item is taken off the list.")
@click.option("--nieuwe-datum", required=True, help="The new archiefactiedatum (YYYY-MM-DD).")
@door_option
@json_option
@click.pass_context
@handle_errors
def remove_item(
    ctx: click.Context, list_id: str, aip_id: str, reden: str, nieuwe_datum: str, door: str | None, as_json: bool
) -> None:
    """Take an AIP off a list with a reason and a new archiefactiedatum (DIM)."""
    principal = _principal(door, Role.DIM)
    service = _retention(ctx).acting(principal)
    item = service.remove_item(
        _uuid(list_id), _uuid(aip_id, "AIP id"), principal, reden, _date(nieuwe_datum, "--nieuwe-datum")
    )
    _emit(as_json, item.as_dict(), f"{item.aip_id}: {item.status} ({item.reden})")


@retention.command("cancel")
@click.argument("list_id")
@click.option("--reden", required=True)
@door_option
@json_option
@click.pass_context
@handle_errors
def cancel(ctx: click.Context, list_id: str, reden: str, door: str | None, as_json: bool) -> None:
    """Cancel a list (until its first item is executed)."""
    principal = _principal(door, Role.DIM)
    service = _retention(ctx).acting(principal)
    _changed(ctx, as_json, service.cancel(_uuid(list_id), principal, reden).as_dict(items=False))


@retention.command("execute")
@click.argument("list_id", required=False)
@door_option
@json_option
@click.pass_context
@handle_errors
def execute(ctx: click.Context, list_id: str | None, door: str | None, as_json: bool) -> None:
    """Execute an approved list after its waiting period (no LIST_ID: every list that is due)."""
    principal = _principal(door, Role.DIM)
    service = _retention(ctx).acting(principal)
    reports = [service.execute(_uuid(list_id), principal)] if list_id else service.execute_due(principal)
    data = [r.as_dict() for r in reports]
    lines = [
        f"{r['lijst']['id']}: {r['lijst']['status']}; executed {len(r['executed'])}, waiting {len(r['waiting'])}, "
        f"blocked {len(r['blocked'])}" + (f"; verklaring AIP {r['verklaring']['aip_id']}" if r["verklaring"] else "")
        for r in data
    ]
    _emit(as_json, data if not list_id else data[0], "\n".join(lines) or "no list is due")
    if any(r["waiting"] for r in data):
        ctx.exit(75)  # EX_TEMPFAIL: run again when the stores' locks have expired


@retention.group("hold")
def hold() -> None:
    """Legal holds and other exclusions (Woo-verzoek, bezwaar/beroep/procedure, hotspot)."""


@hold.command("add")
@click.argument("aip_id")
@click.option(
    "--soort",
    required=True,
    type=click.Choice([s.value for s in UitsluitingSoort if s is not UitsluitingSoort.ONBEKENDE_CATEGORIE]),
)
@click.option("--reden", required=True)
@door_option
@json_option
@click.pass_context
@handle_errors
def hold_add(ctx: click.Context, aip_id: str, soort: str, reden: str, door: str | None, as_json: bool) -> None:
    """Exclude an AIP from destruction and transfer until the exclusion is lifted."""
    principal = _principal(door, Role.DIM)
    service = _retention(ctx).acting(principal)
    placed = service.place_exclusion(_uuid(aip_id, "AIP id"), UitsluitingSoort(soort), reden, door=principal.agent)
    _emit(as_json, placed.as_dict(), f"exclusion {placed.id}: {placed.soort} on {placed.aip_id}")


@hold.command("lift")
@click.argument("exclusion_id")
@click.option("--reden", required=True)
@door_option
@json_option
@click.pass_context
@handle_errors
def hold_lift(ctx: click.Context, exclusion_id: str, reden: str, door: str | None, as_json: bool) -> None:
    """Lift an exclusion."""
    principal = _principal(door, Role.DIM)
    service = _retention(ctx).acting(principal)
    lifted = service.lift_exclusion(_uuid(exclusion_id, "exclusion id"), reden, door=principal.agent)
    _emit(as_json, lifted.as_dict(), f"exclusion {lifted.id} lifted")


@hold.command("list")
@click.option("--aip", "aip_id", help="Only this AIP.")
@click.option("--all", "everything", is_flag=True, help="Lifted ones too.")
@json_option
@click.pass_context
@handle_errors
def hold_list(ctx: click.Context, aip_id: str | None, everything: bool, as_json: bool) -> None:
    """Exclusions with their reasons."""
    found = _retention(ctx).catalog.exclusions(
        aip_id=_uuid(aip_id, "AIP id") if aip_id else None, open_only=not everything
    )
    data = [u.as_dict() for u in found]
    _emit(as_json, data, "\n".join(f"{u['id']}  {u['aip_id']}  {u['soort']}: {u['reden']}" for u in data) or "none")


@retention.command("restore")
@json_option
@click.pass_context
@handle_errors
def restore(ctx: click.Context, as_json: bool) -> None:
    """Take the decisions back from the metadata revisions in storage (after losing the catalog)."""
    result = _retention(ctx).restore_from_storage()
    _emit(as_json, result, f"restored {result['restored']} decisions, kept {result['kept']}")


# --- selectielijsten --------------------------------------------------------------------------------


@click.group()
def selectielijst() -> None:
    """Selectielijsten as data (see selectielijsten/README.md)."""


@selectielijst.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--into",
    type=click.Path(file_okay=False, path_type=Path),
    help="The selectielijsten folder (default: EDEPOT_SELECTIELIJSTEN or the shipped one).",
)
@click.option("--check", is_flag=True, help="Only check the table; write nothing.")
@json_option
@click.pass_context
@handle_errors
def selectielijst_import(ctx: click.Context, file: Path, into: Path | None, check: bool, as_json: bool) -> None:
    """Import a selectielijst from a CSV or XLSX table; every problem is reported with its row and column."""
    from edepot.retention_service import RetentionSettings
    from edepot.selectielijst import as_dict, import_table, load_dir

    lijst, findings = import_table(file)
    if lijst is None:
        errors = [f for f in findings if f.severity.value == "error"]
        raise InvalidInput(
            f"{file.name}: {len(errors)} problem(s); nothing was imported",
            hint="fix the rows named below and import again",
            findings=findings,
        )
    folder = into or RetentionSettings.from_env().selectielijsten
    target = folder / f"{_slug(lijst.naam)}-{_slug(lijst.versie)}.json"
    data = {
        "naam": lijst.naam,
        "versie": lijst.versie,
        "categorieen": len(lijst.categorieen),
        "bestand": str(target),
        "geschreven": False,
        "waarschuwingen": [f.as_dict() for f in findings],
    }
    if not check:
        if target.exists():
            raise Conflict(f"{target} exists already", hint="give the new version another versie, or remove the file")
        folder.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(as_dict(lijst), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        try:
            load_dir(folder)  # the new version must fit beside the others (no overlapping periods)
        except Exception:
            target.unlink()
            raise
        data["geschreven"] = True
    _emit(
        as_json,
        data,
        f"{lijst.naam} versie {lijst.versie}: {len(lijst.categorieen)} categories "
        + (f"written to {target}" if data["geschreven"] else "checked, nothing written"),
    )


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-." else "-" for c in text.strip().lower()).strip("-") or "lijst"
