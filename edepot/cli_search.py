"""Command line for search: `edepot reindex`, `edepot index sync|status|open-lapsed`, and the
background indexer of `edepot serve`.

Register on the main group with `register(main)` (edepot/cli.py); until then, or for scripts,
`python -m edepot.cli_search index sync` runs the same commands on the same group.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from edepot.cli_common import _emit, _services, handle_errors, json_option
from edepot.errors import InvalidInput


def _search(ctx: click.Context) -> Any:
    if "search" not in ctx.obj:
        from edepot.search_service import build_search

        ctx.obj["search"] = build_search(_services(ctx))
        ctx.call_on_close(ctx.obj["search"].close)
    return ctx.obj["search"]


def _report_text(report: dict[str, Any]) -> str:
    text = (
        f"indexed {report['indexed']}, failed {report['failed']}, queued {report['queued']}, "
        f"removed {report['removed']}"
    )
    if report["opened"]:
        text += f"\nopened to the public ({len(report['opened'])}): " + ", ".join(report["opened"])
    return text


@click.command("reindex")
@json_option
@click.pass_context
@handle_errors
def reindex(ctx: click.Context, as_json: bool) -> None:
    """Rebuild the search index from the catalog and storage. Exit 1 when records failed."""
    report = _search(ctx).indexer.reindex().as_dict()
    _emit(as_json, report, _report_text(report))
    if report["failed"]:
        ctx.exit(1)


@click.group("index")
def index() -> None:
    """The search index (EDEPOT_HOME/index/<EDEPOT_SEARCH_ENGINE>)."""


@index.command("sync")
@json_option
@click.pass_context
@handle_errors
def index_sync(ctx: click.Context, as_json: bool) -> None:
    """Index new and changed records, remove those no longer held, retry due failures.
    Exit 1 when records failed (they are retried by the next sync)."""
    report = _search(ctx).indexer.sync().as_dict()
    _emit(as_json, report, _report_text(report))
    if report["failed"]:
        ctx.exit(1)


@index.command("open-lapsed")
@click.option("--date", "day", help="The day to check (YYYY-MM-DD); default today.")
@json_option
@click.pass_context
@handle_errors
def index_open_lapsed(ctx: click.Context, day: str | None, as_json: bool) -> None:
    """The daily job: open records whose restriction lapsed or that became old enough."""
    try:
        when = date.fromisoformat(day) if day else None
    except ValueError:
        raise InvalidInput(f"--date {day!r} is not a date", hint="write e.g. 2025-06-01") from None
    report = _search(ctx).indexer.open_lapsed(when).as_dict()
    _emit(as_json, report, _report_text(report))


@index.command("status")
@json_option
@click.pass_context
@handle_errors
def index_status(ctx: click.Context, as_json: bool) -> None:
    """Documents in the index, records per sync status and the failed records with their errors."""
    status = _search(ctx).status()
    records = status["records"]
    lines = [
        f"engine {status['engine']}: {status['documents']} documents",
        f"records: {records['geindexeerd']} indexed ({records['public']} public), {records['wachtend']} waiting, "
        f"{records['mislukt']} failed",
    ]
    lines += [f"  FAILED {f['record_id']} (attempt {f['attempts']}): {f['last_error']}" for f in status["failures"]]
    _emit(as_json, status, "\n".join(lines))


def start_background_indexing(app: Any) -> Any:
    """Start the background indexer of an app made by `create_app` (for `edepot serve`); returns it,
    call `.stop()` on shutdown."""
    from edepot.indexing import BackgroundIndexer

    return BackgroundIndexer(app.state.search.indexer).start()

