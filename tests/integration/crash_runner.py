"""Runs the edepot CLI and kills the process with SIGKILL at the Nth durable step.

Durable steps are the calls that change disk or database state: os.link/rename/replace/fsync,
directory removal and the catalog's writes. `CRASH_AT=N` kills at the Nth such call;
`CRASH_AT=count` runs to the end and prints `steps=<total>` to stderr.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import threading

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
for name in ("add_submission", "update_submission", "begin_aip", "set_aip_status", "append_event"):
    _wrap(SqlCatalog, name)

if __name__ == "__main__":
    from edepot.cli import main

    try:
        main(sys.argv[1:], standalone_mode=False)
    finally:
        if _target == "count":
            print(f"steps={_count}", file=sys.stderr)
