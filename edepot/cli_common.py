"""What every `edepot` command shares: building the services once per invocation, printing results
(text or `--json`), and mapping errors to exit codes. The command modules (cli.py and the
cli_<feature>.py groups it registers) import from here, never from each other.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

import click

from edepot.errors import EdepotError, Finding

F = TypeVar("F", bound=Callable[..., Any])


def _services(ctx: click.Context) -> Any:
    if "services" not in ctx.obj:
        from dataclasses import replace

        from edepot import AGENT
        from edepot.bootstrap import build

        # changes made from the command line name the operator in their events
        ctx.obj["services"] = replace(build(ctx.obj.get("settings")), agent=f"{AGENT}; {_operator()}")
    return ctx.obj["services"]


def _emit(as_json: bool, data: Any, text: str) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str) if as_json else text)


def _findings_text(findings: Iterable[Finding]) -> str:
    lines = []
    for f in findings:
        where = " ".join(p for p in (f.object and f"object={f.object}", f.file and f"file={f.file}") if p)
        lines.append(f"  {f.severity.upper():7} [{f.rule}] {where}\n          {f.message}\n          -> {f.action}")
    return "\n".join(lines)


def handle_errors(func: F) -> F:
    """Map EdepotError to its exit code, printing the problem (JSON with --json)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except EdepotError as error:
            as_json = bool(kwargs.get("as_json"))
            problem = error.to_problem()
            if as_json:
                click.echo(json.dumps(problem, indent=2, ensure_ascii=False, default=str))
            else:
                click.echo(f"error: {error}", err=True)
                findings = getattr(error, "findings", None) or error.fields.get("findings") or []
                if findings:
                    click.echo(_findings_text(findings), err=True)
            sys.exit(error.exit_code)

    return wrapper  # type: ignore[return-value]


json_option: Callable[[F], F] = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")



def _operator() -> str:
    """Who runs the command line, for the events of changes made with it."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"
