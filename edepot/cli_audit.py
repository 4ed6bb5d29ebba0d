"""The `edepot audit ...` commands and `edepot aip copies|legal-hold`. Thin: parse, call the Auditor
(edepot.audit) or the legal-hold service, print (JSON with `--json`). Register them at the END of
edepot/cli.py:

    from edepot.cli_audit import aip_copies, aip_legal_hold, audit  # noqa: E402
    main.add_command(audit); aip.add_command(aip_copies); aip.add_command(aip_legal_hold)

Exit codes: `audit run` exits 1 when damage remains that was not repaired (or the run found an AIP
without a good copy), 0 when everything was good or repaired; errors keep their own codes.
"""

from __future__ import annotations

import sys
from datetime import date
from typing import Any
from uuid import UUID

import click

from edepot.cli_common import _emit, _operator, _services, handle_errors, json_option
from edepot.errors import InvalidInput


def _auditor(ctx: click.Context) -> Any:
    if "auditor" not in ctx.obj:
        from edepot.audit import build_auditor

        ctx.obj["auditor"] = build_auditor(_services(ctx))
    return ctx.obj["auditor"]


def _uuid(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise InvalidInput(f"{value!r} is not an AIP id", hint="AIP ids are UUIDs, see `edepot aip list`") from None


def _date(value: str | None, what: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{what} {value!r} is not a date", hint="write YYYY-MM-DD") from None


@click.group()
def audit() -> None:
    """Fixity audits of every copy, their status, and the report for the archivaris."""


@audit.command("run")
@click.option("--all", "everything", is_flag=True, help="Every copy of every stored AIP.")
@click.option("--due", is_flag=True, help="Copies whose last good check is older than the cadence (the default).")
@click.option("--aip", "aip_id", help="Every copy of this one AIP.")
@click.option("--workers", type=click.IntRange(1, 256), help="Objects read at the same time (EDEPOT_AUDIT_WORKERS).")
@json_option
@click.pass_context
@handle_errors
def audit_run(
    ctx: click.Context, everything: bool, due: bool, aip_id: str | None, workers: int | None, as_json: bool
) -> None:
    """Re-read every object of every copy, match it with the fixity ledger, repair from a good copy."""
    from edepot.audit import Scope

    if sum((everything, due, aip_id is not None)) > 1:
        raise InvalidInput("choose one of --all, --due and --aip", hint="without any of them: --due")
    auditor = _auditor(ctx)
    if aip_id is not None:
        result = auditor.run(aip_id=_uuid(aip_id), workers=workers)
    else:
        result = auditor.run(Scope.ALLE if everything else Scope.VERLOPEN, workers=workers)
    _emit(as_json, result.as_dict(), result.text())
    if not result.clean:
        sys.exit(1)


@audit.command("status")
@click.option("--alert", "send_alert", is_flag=True, help="Also alert when a copy is overdue.")
@json_option
@click.pass_context
@handle_errors
def audit_status(ctx: click.Context, send_alert: bool, as_json: bool) -> None:
    """Per store: copies, the age of the oldest good check, overdue copies; damaged AIPs."""
    auditor = _auditor(ctx)
    if send_alert:
        auditor.check_overdue()
    data = auditor.status()
    lines = [f"cadence: every copy at least every {data['cadence_days']} days"]
    for s in data["stores"]:
        age = f"{s['oldest_age_days']:.1f} days" if s["oldest_age_days"] is not None else "never checked"
        lines.append(
            f"  {s['store']:<14} {s['copies']:>8} copies of {s['aips']} AIPs  oldest good check {age}  "
            f"overdue {s['overdue']}"
        )
    lines.append(f"damaged AIPs (beschadigd): {len(data['beschadigd'])}")
    lines += [f"  {a}" for a in data["beschadigd"]]
    _emit(as_json, data, "\n".join(lines))


@audit.command("report")
@click.option("--from", "start", help="First day (YYYY-MM-DD; default: a cadence before --to).")
@click.option("--to", "end", help="Last day (YYYY-MM-DD; default: today).")
@click.option("--format", "fmt", type=click.Choice(["html", "pdf", "csv", "json"]), default="html", show_default=True)
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write to this file (default: stdout)."
)
@click.pass_context
@handle_errors
def audit_report(ctx: click.Context, start: str | None, end: str | None, fmt: str, output: str | None) -> None:
    """The audit report for the provinciearchivaris (Dutch): what was checked, what was wrong and repaired."""
    from edepot.audit_report import render

    data = _auditor(ctx).report_data(_date(start, "--from"), _date(end, "--to"))
    content = render(data, fmt)
    if output:
        with open(output, "wb") as out:
            out.write(content)
        click.echo(f"report written to {output}", err=True)
    else:
        click.echo(content, nl=False)  # bytes go to the binary stream


@click.command("copies")
@click.argument("aip_id")
@json_option
@click.pass_context
@handle_errors
def aip_copies(ctx: click.Context, aip_id: str, as_json: bool) -> None:
    """How many verified copies an AIP has, where, and when each was last verified."""
    data = _auditor(ctx).copies_of_aip(_uuid(aip_id))
    lines = [f"AIP {data['aip_id']}  {data['status']}  {data['count']} verified copies"]
    for c in data["copies"]:
        lines.append(f"  {c['store']:<14} {c['outcome']:<10} verified {c['verified_at'] or 'never'}  {c['location']}")
    lines += [f"  {name:<14} NO COPY RECORDED" for name in data["missing"]]
    _emit(as_json, data, "\n".join(lines))


@click.command("legal-hold")
@click.argument("aip_id")
@click.option("--on/--off", "on", required=True, help="Place (--on) or lift (--off) the legal hold.")
@click.option("--reden", required=True, help="Why (recorded in the event log).")
@click.option("--door", help="Who acts (default: the operating-system user).")
@json_option
@click.pass_context
@handle_errors
def aip_legal_hold(ctx: click.Context, aip_id: str, on: bool, reden: str, door: str | None, as_json: bool) -> None:
    """Place or lift an Object Lock legal hold on every object of an AIP in every lockable copy."""
    from edepot.legal_hold import lift_legal_hold, place_legal_hold

    services, ident, who = _services(ctx), _uuid(aip_id), door or _operator()
    if on:
        receipt = place_legal_hold(services, ident, reden, door=who)
    else:
        receipt = lift_legal_hold(services, ident, reden, door=who)
    data = receipt.as_dict()
    state = "placed" if on else "lifted"
    text = f"legal hold {state} on {data['objects']} object(s) in {', '.join(data['stores']) or 'no store'}"
    if data["skipped"]:
        text += f" (no Object Lock in: {', '.join(data['skipped'])})"
    _emit(as_json, data, text)
