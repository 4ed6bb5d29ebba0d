"""Runs `retention nightly` and kills the process with SIGKILL at the Nth durable step.

Durable steps: os.link/rename/replace/fsync, directory removal, and every write of the holdings
and retention catalogs. `CRASH_AT=N` kills at the Nth; `CRASH_AT=count` runs to the end and prints
`steps=<total>` to stderr. The arguments are those of the `retention` command group.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import threading

from edepot.catalog.retention_sql import SqlRetentionCatalog
from edepot.catalog.sql import SqlCatalog

_lock = threading.Lock()
_count = 0
_target = os.environ.get("CRASH_AT", "count")


def _step() -> None:
    global _count
    with _lock:
        _count += 1
        if _target != "count" and _count == int(_target):
            os.kill(os.getpid(), signal.SIGKILL)


def _wrap(owner: object, name: str) -> None:
    original = getattr(owner, name)

    def wrapper(*args: object, **kwargs: object) -> object:
        _step()
        return original(*args, **kwargs)

    setattr(owner, name, wrapper)


for name in ("link", "rename", "replace", "fsync"):
    _wrap(os, name)
_wrap(shutil, "rmtree")
for name in ("begin_aip", "set_aip_status", "append_event"):
    _wrap(SqlCatalog, name)
for name in (
    "put_facts",
    "save_decisions",
    "save_group_decisions",
    "mark_written",
    "mark_all_written",
    "sync_unknown_category",
    "propose",
    "transition_list",
    "set_item",
    "add_tombstone",
    "add_verklaring",
):
    _wrap(SqlRetentionCatalog, name)

if __name__ == "__main__":
    from edepot.cli_retention import retention

    try:
        retention(sys.argv[1:], obj={}, standalone_mode=False)
    finally:
        if _target == "count":
            print(f"steps={_count}", file=sys.stderr)
