"""The one place worker processes are started. Every pool (``map_forked`` here, the render pool,
the markup pool) goes through ``process_pool``.

Workers are forked, so they inherit the function and the data (a Jinja environment, the planned
site) without pickling. Forking a process that runs other threads can deadlock the child (a lock
held by a thread that does not exist there; Python 3.12 warns about it), so a pool is forked
only while this process is provably single-threaded, as the OS counts threads; otherwise the
work runs in this process. Two things keep builds single-threaded when they fork: BLAS/OpenMP
libraries are told to start no thread pool (generator/__init__.py, before numpy is imported;
the topic fit uses one thread anyway), and a pool's own threads start only after its
processes are forked.
``paperboy serve`` runs HTTP, watcher and search threads, so its rebuilds work in-process.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import gc
import multiprocessing
import os
import pickle
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

STOP_WAIT_STEPS, STOP_WAIT_STEP = 500, 0.01  # a stopped background task gets 5 s to go

_SHARED_MAP: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def live_threads() -> int:
    """Threads of this process as the OS counts them (native library threads included)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:  # not Linux: only Python's own threads are known
        return threading.active_count()


SETTLE_SECONDS = 1.0


def can_fork() -> bool:
    """True when forking is available and safe now: this process runs a single thread.

    A thread Python has just joined (a process pool's manager thread, as a pool closes) stays
    in the OS's list for a millisecond or so after the join returns: measured here in 8 of 30
    pools. Without Python threads of its own the process waits for it (up to SETTLE_SECONDS)
    rather than give up the fork: at 100k papers a search index that could not start in the
    background after the pages cost the build 30 s."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    if live_threads() == 1:
        return True
    if threading.active_count() > 1:
        return False
    deadline = time.monotonic() + SETTLE_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.001)
        if live_threads() == 1:
            return True
    return False


def freeze_for_fork() -> None:
    """Move every object tracked so far out of the garbage collector's reach (gc.freeze), as
    Python's documentation advises before a fork: a collection writes into the header of every
    object it scans, which copies the page holding it, so a forked worker that collected would
    end up with a private copy of the whole planned site, and so would the parent. Objects made
    before the freeze are never collected (a build is one short-lived process)."""
    gc.freeze()


def release_freed_memory() -> None:
    """Hand the heap memory freed so far back to the operating system. glibc keeps freed
    blocks for reuse, so a process that made a large index and dropped it still holds the
    pages: at 10k papers 88 MB after the filter index and the export files, which the build
    then holds while it waits for the search index. No-op where malloc_trim is missing."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def thaw() -> None:
    """Give the objects frozen for forks back to the collector (after the last worker)."""
    gc.unfreeze()


def process_pool(jobs: int) -> ProcessPoolExecutor | None:
    """A pool of ``jobs`` forked workers, all forked now, before the pool starts its own
    threads; None when ``jobs`` < 2 or forking is not safe (the caller works in-process)."""
    if jobs < 2 or not can_fork():
        return None
    freeze_for_fork()
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"))
    # ProcessPoolExecutor forks every worker before it starts its manager thread (for the fork
    # method, since Python 3.11); starting it here keeps later forks out of other pools' way.
    pool.submit(int).result()
    return pool


def map_threads(function: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """``[function(item) for item in items]``, in order, on a thread per core: for work that
    releases the GIL (scikit-learn's k-means iterations). Threads need no fork, so this also
    runs in parallel while a worker pool is alive."""
    if not items:
        return []
    with ThreadPoolExecutor(max_workers=min(default_jobs(), len(items))) as pool:
        return list(pool.map(function, items))


def map_forked(function: Callable[[T], R], items: Sequence[T], *, jobs: int | None = None,
               min_per_worker: int = 50) -> list[R]:
    """``[function(item) for item in items]``, in order, on up to ``jobs`` forked workers.

    The function and the items are inherited through the fork, so neither needs to pickle;
    only the results travel back. Small inputs, and calls while other threads run, stay
    in-process.
    """
    global _SHARED_MAP
    jobs = min(jobs or default_jobs(), len(items) // min_per_worker)
    size = max(1, -(-len(items) // (max(jobs, 1) * 4)))
    spans = [(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    _SHARED_MAP = (function, items)
    try:
        pool = process_pool(jobs)
        if pool is None:
            return [function(item) for item in items]
        with pool:
            return [result for chunk in pool.map(_map_shared_span, spans) for result in chunk]
    finally:
        _SHARED_MAP = None


def _map_shared_span(span: tuple[int, int]) -> list[Any]:
    assert _SHARED_MAP is not None, "workers are forked from map_forked"
    function, items = _SHARED_MAP
    return [function(items[index]) for index in range(*span)]


class BackgroundTask:
    """``function()`` running in a forked child while this process goes on (see ``in_background``).

    The result comes back pickled through a pipe, as a pool's would. Stopping the task stops
    the programs it started too, even those in process groups of their own (Pagefind's): the
    child kills its children when told to stop.
    """

    def __init__(self, function: Callable[[], Any]) -> None:
        self._read, write = os.pipe()
        freeze_for_fork()
        self.pid = os.fork()
        if self.pid == 0:  # the child: run, report, and leave without the parent's cleanup
            os.close(self._read)
            status = 0
            try:
                os.setpgid(0, 0)  # a terminal's Ctrl-C reaches the parent, which stops us
                signal.signal(signal.SIGTERM, _stop_children_and_exit)
                try:
                    message = ("ok", function())
                except BaseException as exc:  # carried to the parent as is
                    message = ("error", exc)
                try:
                    payload = pickle.dumps(message)
                except Exception as exc:  # an unpicklable result or error
                    payload = pickle.dumps(("error", RuntimeError(repr(exc))))
                with os.fdopen(write, "wb") as pipe:
                    pipe.write(payload)
            except BaseException:  # nothing may run past this point
                status = 1
            finally:
                os._exit(status)
        os.close(write)
        with contextlib.suppress(OSError):  # also set here: no race with an early stop()
            os.setpgid(self.pid, self.pid)
        self._done = False

    def result(self) -> Any:
        """Wait for the child; its return value, or its exception raised here."""
        with os.fdopen(self._read, "rb") as pipe:
            payload = pipe.read()
        os.waitpid(self.pid, 0)
        self._done = True
        if not payload:
            raise RuntimeError("a background worker stopped before it finished")
        kind, value = pickle.loads(payload)  # our own fork's bytes, never a file
        if kind == "error":
            raise value
        return value

    def stop(self) -> None:
        """Stop the child and what it started (after an error elsewhere)."""
        if self._done:
            return
        self._done = True
        with contextlib.suppress(OSError):
            os.close(self._read)
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGTERM)
        for _ in range(STOP_WAIT_STEPS):
            with contextlib.suppress(ChildProcessError):
                if os.waitpid(self.pid, os.WNOHANG) != (0, 0):
                    break
                time.sleep(STOP_WAIT_STEP)
                continue
            break
        else:  # it did not stop in time: its whole group goes
            with contextlib.suppress(OSError):
                os.killpg(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)


def _stop_children_and_exit(signum: int, frame: object) -> None:
    """SIGTERM in a background task: kill the programs it started, then leave at once."""
    for pid in child_processes(os.getpid()):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    os._exit(1)


def child_processes(pid: int) -> list[int]:
    """The child processes of ``pid`` (of all its threads), as Linux lists them."""
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as listing:
                found += [int(child) for child in listing.read().split()]
        except OSError:
            continue
    return found


@contextlib.contextmanager
def in_background(function: Callable[[], T]) -> Iterator[Callable[[], T]]:
    """Run ``function()`` in a forked child while the block runs; the block gets a callable
    that waits for its result (raising its exception). When forking is not safe (other
    threads run), the function runs when its result is asked for. Leaving the block on an
    error stops the child."""
    if not can_fork():
        yield function
        return
    task = BackgroundTask(function)
    try:
        yield task.result
    finally:
        task.stop()
