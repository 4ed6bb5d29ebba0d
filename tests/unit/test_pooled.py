"""map_batched: a thread pool's map, a batch of items per task, results in the order of the items;
the items marked inline are done in the calling thread meanwhile."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest

from edepot.pooled import map_batched


@pytest.mark.parametrize("count", [0, 1, 31, 32, 33, 1000])
def test_the_results_are_those_of_a_plain_map_in_the_order_of_the_items(count: int) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert map_batched(pool, lambda n: n * n, list(range(count))) == [n * n for n in range(count)]


class CountingPool(ThreadPoolExecutor):
    """A thread pool that counts the tasks it is given."""

    tasks = 0

    def submit(self, *args: Any, **kwargs: Any) -> Future[Any]:
        self.tasks += 1
        return super().submit(*args, **kwargs)


def test_each_task_runs_one_batch_of_consecutive_items() -> None:
    with CountingPool(max_workers=1) as pool:
        assert map_batched(pool, lambda n: n, list(range(10)), batch=4) == list(range(10))
    assert pool.tasks == 3  # [0-3], [4-7], [8-9]


def test_an_error_in_any_item_reaches_the_caller() -> None:
    def fail_on_seven(n: int) -> int:
        if n == 7:
            raise ValueError("seven")
        return n

    with ThreadPoolExecutor(max_workers=2) as pool, pytest.raises(ValueError, match="seven"):
        map_batched(pool, fail_on_seven, list(range(100)), batch=8)


def test_a_batch_smaller_than_one_is_refused() -> None:
    with ThreadPoolExecutor(max_workers=1) as pool, pytest.raises(ValueError, match="at least 1"):
        map_batched(pool, str, [1], batch=0)


def test_the_items_marked_inline_are_computed_in_the_calling_thread_and_the_others_by_the_pool() -> None:
    where: dict[int, int] = {}

    def record(n: int) -> int:
        where[n] = threading.get_ident()
        return -n

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = map_batched(pool, record, list(range(100)), batch=8, inline=lambda n: n % 3 == 0)
    assert results == [-n for n in range(100)]
    here = threading.get_ident()
    assert {n for n, thread in where.items() if thread == here} == {n for n in range(100) if n % 3 == 0}


def test_with_every_item_inline_the_pool_gets_no_task() -> None:
    with CountingPool(max_workers=1) as pool:
        assert map_batched(pool, str, [1, 2, 3], inline=lambda n: True) == ["1", "2", "3"]
    assert pool.tasks == 0


def test_an_error_reaches_the_caller_only_once_no_task_of_the_call_runs_any_more() -> None:
    """So a caller that cleans up after the error (removes a half-written folder) races no copy."""
    running = 0
    lock = threading.Lock()

    def slow_or_failing(n: int) -> int:
        nonlocal running
        if n == 0:
            time.sleep(0.05)  # the pool's tasks have started by now
            raise OSError("disk full")
        with lock:
            running += 1
        time.sleep(0.2)
        with lock:
            running -= 1
        return n

    with ThreadPoolExecutor(max_workers=2) as pool:
        with pytest.raises(OSError, match="disk full"):
            map_batched(pool, slow_or_failing, list(range(20)), batch=1, inline=lambda n: n == 0)
        assert running == 0
