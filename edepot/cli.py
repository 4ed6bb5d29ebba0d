"""The `edepot` command line. Thin: parses arguments, calls the services, prints results.

Every command exits non-zero on failure with the error's exit code (see edepot.errors) and
prints machine-readable JSON with `--json`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import click

from edepot import __version__
from edepot.cli_common import _emit, _findings_text, _operator, _services, handle_errors, json_option
from edepot.errors import BagInvalid, InvalidInput, SubmissionRejected


@click.group()
@click.version_option(__version__, prog_name="edepot")
@click.pass_context
def main(ctx: click.Context) -> None:
    """edepot: the e-depot of Provincie Limburg. Configure with EDEPOT_* environment variables."""
    ctx.ensure_object(dict)


@main.command()
@json_option
@click.pass_context
@handle_errors
def init(ctx: click.Context, as_json: bool) -> None:
    """Create the data directory, the catalog and every configured S3 bucket (idempotent).

    Buckets are created with Object Lock when a lock mode is set, and versioning; an existing bucket
    is checked (one without Object Lock when a lock mode is set is refused). The first time, for the
    embedded default, also create a beheerder API token and print it once.
    """
    from edepot.auth.tokens import issue_token, list_tokens
    from edepot.storage.config import ensure_buckets

    services = _services(ctx)
    given = ctx.obj.get("settings")  # tests pass settings, whose `extra` stands in for the environment
    buckets = ensure_buckets(None if given is None else dict(given.extra))
    data: dict[str, Any] = {
        "home": str(services.settings.home.resolve()),
        "catalog": services.settings.catalog_url,
        "buckets": buckets,
    }
    text = f"edepot initialised in {data['home']}"
    if buckets:
        text += f"\nbuckets ready: {', '.join(buckets)}"
    if services.settings.embedded and not list_tokens(services):
        issued = issue_token(services, name="beheerder (edepot init)", roles=["beheerder"], created_by=_operator())
        data["admin_token"] = issued.plaintext
        data["admin_token_id"] = str(issued.token.id)
        text += (
            f"\nadmin API token (role beheerder; shown ONCE, store it now):\n  {issued.plaintext}"
            "\nuse it as `Authorization: Bearer <token>`; revoke it with `edepot token revoke "
            f"{issued.token.id}`"
        )
    _emit(as_json, data, text)


@main.command()
@json_option
@click.pass_context
@handle_errors
def demo(ctx: click.Context, as_json: bool) -> None:
    """Generate the bundled sample block and ingest it (idempotent), then return."""
    from edepot.sample import make_sample_block

    services = _services(ctx)
    target = services.settings.home / "sample"
    block = target / "1987-1996"
    if not block.exists():
        make_sample_block(target)
    receipt = services.ingest_analogue(block)
    _emit(as_json, receipt.as_dict(), receipt.summary())


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    envvar="EDEPOT_WEB_WORKERS",
    help="Worker processes (uvicorn); settings then come from the environment. [env: EDEPOT_WEB_WORKERS]",
)
@click.pass_context
@handle_errors
def serve(ctx: click.Context, host: str, port: int, workers: int) -> None:
    """Serve the HTTP API and the public portal; the search index is kept in sync in the background."""
    import uvicorn

    from edepot import logsafe
    from edepot.api import create_app
    from edepot.cli_search import start_background_indexing

    if workers > 1:  # each worker builds its app from the environment: edepot/serve.py
        from edepot.serve import FACTORY

        uvicorn.run(FACTORY, factory=True, host=host, port=port, workers=workers, log_level="info")
        return
    app = create_app(_services(ctx))
    config = uvicorn.Config(app, host=host, port=port, log_level="info")
    logsafe.add_filter_to_handlers()  # uvicorn configured its handlers just now
    indexing = start_background_indexing(app)
    try:
        uvicorn.Server(config).run()
    finally:
        indexing.stop()


@main.group()
def ingest() -> None:
    """Ingest a submission from a source."""


@ingest.command("analogue")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--inventory", type=click.Path(path_type=Path), help="Inventory file (CSV or XLSX) if not in PATH.")
@click.option("--dry-run", is_flag=True, help="Check and package, but store nothing.")
@json_option
@click.pass_context
@handle_errors
def ingest_analogue(ctx: click.Context, path: Path, inventory: Path | None, dry_run: bool, as_json: bool) -> None:
    """Ingest a digitised analogue block: one AIP per dossier, or a rejection report."""
    if not path.is_dir():
        raise InvalidInput(f"{path} is not a folder", hint="give the folder the scanning supplier delivered")
    _report_ingest(as_json, lambda: _services(ctx).ingest_analogue(path, inventory=inventory, dry_run=dry_run))


@ingest.command("zaaksysteem")
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Zaken closed on or after DATE (default: where the last accepted run stopped).",
)
@click.option("--zaak", "zaken", multiple=True, metavar="URL", help="Only this zaak (repeatable).")
@click.option("--dry-run", is_flag=True, help="Check and package, but store nothing.")
@click.option(
    "--write-back",
    type=click.Choice(["gearchiveerd", "overgedragen"]),
    help="Set the zaak's archiefstatus once its AIP is verified in storage.",
)
@json_option
@click.pass_context
@handle_errors
def ingest_zaaksysteem(
    ctx: click.Context,
    since: datetime | None,
    zaken: tuple[str, ...],
    dry_run: bool,
    write_back: str | None,
    as_json: bool,
) -> None:
    """Ingest closed zaken and their documents from the ZGW APIs: one AIP per zaak."""
    _report_ingest(
        as_json,
        lambda: _services(ctx).ingest_zaaksysteem(
            since=since.date() if since else None, zaak_urls=zaken, dry_run=dry_run, write_back=write_back
        ),
    )


@ingest.command("teams")
@click.option(
    "--export",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="An export folder with Graph JSON instead of live Graph.",
)
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="Messages changed on or after DATE.")
@click.option("--dry-run", is_flag=True, help="Check and package, but store nothing.")
@json_option
@click.pass_context
@handle_errors
def ingest_teams(ctx: click.Context, export: Path | None, since: datetime | None, dry_run: bool, as_json: bool) -> None:
    """Ingest Teams channel threads and key officials' chats: one AIP per thread or chat period."""
    _report_ingest(
        as_json,
        lambda: _services(ctx).ingest_teams(export=export, since=since.date() if since else None, dry_run=dry_run),
    )


def _report_ingest(as_json: bool, run: Callable[[], Any]) -> None:
    """Print the receipt, or the rejection report and exit with its code."""
    try:
        receipt = run()
    except SubmissionRejected as rejected:
        report = rejected.to_problem()
        if as_json:
            click.echo(json.dumps(report, indent=2, ensure_ascii=False, default=str))
        else:
            click.echo(f"REJECTED: {rejected.message}\n{_findings_text(rejected.findings)}")
        sys.exit(rejected.exit_code)
    _emit(as_json, receipt.as_dict(), receipt.summary())


@main.group()
def bag() -> None:
    """BagIt packages."""


@bag.command("validate")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--ledger-from-catalog", is_flag=True, help="Also compare with the catalog ledger of this AIP.")
@json_option
@click.pass_context
@handle_errors
def bag_validate(ctx: click.Context, path: Path, ledger_from_catalog: bool, as_json: bool) -> None:
    """Validate a bag (BagIt 1.0 + MDTO + ledger rules). Exit 0 when valid, 1 when not."""
    from edepot import bagcheck

    ledger = None
    if ledger_from_catalog:
        aip_id = _aip_id_of(path)
        ledger = {f.path: f.sha256 for f in _services(ctx).get_aip(aip_id).files}
    findings = bagcheck.validate_bag(path, ledger=ledger)
    errors = [f for f in findings if f.severity == "error"]
    report = {"bag": str(path), "valid": not errors, "findings": [f.as_dict() for f in findings]}
    if errors:
        if as_json:
            click.echo(json.dumps(report, indent=2, ensure_ascii=False))
            sys.exit(BagInvalid.exit_code)
        raise BagInvalid(f"{path} is not a valid bag: {len(errors)} problem(s)", findings)
    _emit(as_json, report, f"{path}: valid" + (f"\n{_findings_text(findings)}" if findings else ""))


def _aip_id_of(path: Path) -> UUID:
    from edepot.packaging import parse_bag_info

    info = parse_bag_info((path / "bag-info.txt").read_text(encoding="utf-8"))
    value = info.get("Internal-Sender-Identifier", [""])[0].removeprefix("urn:uuid:")
    return _uuid(value)


def _uuid(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise InvalidInput(f"{value!r} is not an AIP id", hint="AIP ids are UUIDs, see `edepot aip list`") from None


@main.group()
def aip() -> None:
    """Archival information packages."""


@aip.command("show")
@click.argument("aip_id")
@json_option
@click.pass_context
@handle_errors
def aip_show(ctx: click.Context, aip_id: str, as_json: bool) -> None:
    """Show an AIP with its records and files."""
    from edepot.api import aip_detail

    data = aip_detail(_services(ctx).get_aip(_uuid(aip_id)))
    lines = [f"AIP {data['id']}  {data['status']}  v{data['version']}  {data['source_key']}", f"  {data['title']}"]
    lines += [f"  record {r['id']}  {r['aggregatieniveau']:<11} {r['naam']}" for r in data["records"]]
    lines += [f"  file   {f['sha256'][:16]}  {f['size']:>10}  {f['path']}" for f in data["files"]]
    _emit(as_json, data, "\n".join(lines))


@aip.command("list")
@click.option("--limit", default=100, show_default=True)
@json_option
@click.pass_context
@handle_errors
def aip_list(ctx: click.Context, limit: int, as_json: bool) -> None:
    """List stored AIPs, newest first."""
    from edepot.api import aip_summary

    data = [aip_summary(a) for a in _services(ctx).list_aips(limit=limit)]
    _emit(as_json, data, "\n".join(f"{a['id']}  v{a['version']}  {a['source_key']}  {a['title']}" for a in data))


@main.command("export")
@click.argument("aip_id")
@click.argument("directory", type=click.Path(path_type=Path))
@json_option
@click.pass_context
@handle_errors
def export(ctx: click.Context, aip_id: str, directory: Path, as_json: bool) -> None:
    """Export an AIP as a valid bag into DIRECTORY (new or empty)."""
    path = _services(ctx).export(_uuid(aip_id), directory)
    _emit(as_json, {"aip_id": aip_id, "path": str(path)}, f"exported {aip_id} to {path}")


@main.command("rebuild-catalog")
@json_option
@click.pass_context
@handle_errors
def rebuild_catalog(ctx: click.Context, as_json: bool) -> None:
    """Rebuild the catalog's holdings from the bags in storage alone."""
    result = _services(ctx).rebuild_catalog()
    _emit(as_json, result, f"rebuilt {len(result['rebuilt'])} AIP(s); skipped {len(result['skipped'])}")
    if result["skipped"]:
        sys.exit(1)


@main.group()
def events() -> None:
    """The append-only, hash-chained event log."""


@events.command("verify")
@click.option("--alert", is_flag=True, help="Record the check as an event and alert (log, event, webhook) on failure.")
@json_option
@click.pass_context
@handle_errors
def events_verify(ctx: click.Context, alert: bool, as_json: bool) -> None:
    """Verify the event log's hash chain. Exit 0 when intact, 1 when not."""
    services = _services(ctx)
    if alert:
        from edepot.alerts import alert_from_settings, verify_and_alert

        channels = alert_from_settings(services)
        findings = verify_and_alert(services, channels)
        if channels.failed:
            click.echo(f"warning: alert channel(s) failed: {', '.join(channels.failed)}", err=True)
    else:
        findings = services.verify_events()
    head = services.catalog.event_head()
    report = {"intact": not findings, "events": head[0] if head else 0, "findings": [f.as_dict() for f in findings]}
    text = (
        f"event log intact: {report['events']} events"
        if not findings
        else (f"event log BROKEN:\n{_findings_text(findings)}")
    )
    _emit(as_json, report, text)
    if findings:
        sys.exit(1)


def _moment(value: str | None, *, end: bool) -> datetime | None:
    """A date (whole day) or an ISO datetime; naive ones are UTC."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime.combine(day + timedelta(days=1) if end else day, time.min, tzinfo=UTC)
        else:
            moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"{value!r} is not a date or datetime", hint="write e.g. 2025-01-31 or 2025-01-31T12:00"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@events.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv"]), default="csv", show_default=True)
@click.option("--from", "start", help="First day (YYYY-MM-DD, inclusive) or ISO datetime.")
@click.option("--to", "end", help="Last day (YYYY-MM-DD, inclusive) or ISO datetime (exclusive).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default stdout).")
@click.pass_context
@handle_errors
def events_export(ctx: click.Context, fmt: str, start: str | None, end: str | None, output: Path | None) -> None:
    """Export the event log as CSV for certification audits (hashes included, so the chain can be rechecked)."""
    from edepot.audit_export import write_csv

    services = _services(ctx)
    since, until = _moment(start, end=False), _moment(end, end=True)
    if output is None:
        write_csv(services.catalog.events(), sys.stdout, since=since, until=until)
        return
    with open(output, "x", encoding="utf-8", newline="") as handle:
        count = write_csv(services.catalog.events(), handle, since=since, until=until)
    click.echo(f"{count} events written to {output}", err=True)


@main.group()
def token() -> None:
    """API tokens for service accounts (stored hashed; shown once when created)."""


@token.command("create")
@click.option("--role", "roles", multiple=True, required=True, help="A role (repeat for several).")
@click.option("--expires", "expires_days", type=click.IntRange(1, 3650), help="Days until it expires (default never).")
@click.option("--name", default="service account", show_default=True, help="Which service uses it.")
@json_option
@click.pass_context
@handle_errors
def token_create(
    ctx: click.Context, roles: tuple[str, ...], expires_days: int | None, name: str, as_json: bool
) -> None:
    """Create an API token and print it once."""
    from edepot.auth.tokens import issue_token

    services = _services(ctx)
    issued = issue_token(services, name=name, roles=roles, created_by=_operator(), expires_in_days=expires_days)
    data = {"token": issued.plaintext, **issued.token.as_dict(services.clock.now())}
    _emit(
        as_json,
        data,
        f"token {issued.token.id} ({', '.join(data['roles'])}); shown ONCE, store it now:\n  {issued.plaintext}",
    )


@token.command("list")
@json_option
@click.pass_context
@handle_errors
def token_list(ctx: click.Context, as_json: bool) -> None:
    """List API tokens (never their secrets)."""
    from edepot.auth.tokens import list_tokens

    services = _services(ctx)
    now = services.clock.now()
    data = [t.as_dict(now) for t in list_tokens(services)]
    lines = [
        f"{t['id']}  {t['state']:<8} {','.join(t['roles']):<24} {t['name']}  last used {t['last_used_at'] or 'never'}"
        for t in data
    ]
    _emit(as_json, data, "\n".join(lines) or "no tokens")


@token.command("revoke")
@click.argument("token_id")
@json_option
@click.pass_context
@handle_errors
def token_revoke(ctx: click.Context, token_id: str, as_json: bool) -> None:
    """Revoke an API token (idempotent)."""
    from edepot.auth.tokens import revoke_token

    services = _services(ctx)
    try:
        ident = UUID(token_id)
    except ValueError:
        raise InvalidInput(f"{token_id!r} is not a token id", hint="see `edepot token list`") from None
    revoked = revoke_token(services, ident, by=_operator())
    _emit(as_json, revoked.as_dict(services.clock.now()), f"token {revoked.id} revoked")


# Command groups of later features live in their own modules; registered here, in one place.
from edepot.cli_audit import aip_copies, aip_legal_hold, audit  # noqa: E402
from edepot.cli_retention import retention, selectielijst  # noqa: E402
from edepot.cli_search import index, reindex  # noqa: E402
from edepot.cli_woo import woo  # noqa: E402
from edepot.cli_worker import beat, jobs, worker  # noqa: E402

main.add_command(woo)

for _command in (audit, retention, selectielijst, reindex, index, worker, beat, jobs):
    main.add_command(_command)
aip.add_command(aip_copies)
aip.add_command(aip_legal_hold)

