"""`edepot serve` with several worker processes: the app factory each uvicorn worker calls.

A worker builds its services from the environment (`EDEPOT_*`), makes the app and, for the app's
lifetime, runs the background indexer. Only one process at a time can hold the search index's
writer: the first worker that takes it indexes, the others find it taken and only read
(`BackgroundIndexer` skips its rounds quietly), and every worker sees each commit at once through
the index generation. Rate limits and the search result cache are per worker process.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import FastAPI

FACTORY = "edepot.serve:app_from_environment"
MAX_WORKERS = 64


def with_background_indexing(app: FastAPI) -> FastAPI:
    """Run the background indexer of `app` (made by `create_app`) while the app is served."""
    from edepot.cli_search import start_background_indexing

    inner: Callable[[Any], AbstractAsyncContextManager[Any]] = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(served: Any) -> AsyncIterator[Any]:
        indexing = start_background_indexing(app)
        try:
            async with inner(served) as state:
                yield state
        finally:
            indexing.stop()

    app.router.lifespan_context = lifespan
    return app


def app_from_environment() -> FastAPI:
    """The app of one worker process: services from the environment, background indexing on."""
    from edepot import logsafe
    from edepot.api import create_app
    from edepot.bootstrap import build

    app = create_app(build())
    logsafe.add_filter_to_handlers()  # uvicorn configured this worker's log handlers before calling us
    return with_background_indexing(app)
