"""One writer at a time on an embedded index: a file lock under ASSISTANT_HOME.

Embedded Chroma is thread-safe but not process-safe. Readers are safe (an article counts only once
its manifest record lands, and every vector match is checked against it), but two processes
writing at once could pick the same id for different articles or interleave their index files.
So `add`, `remove`, `rebuild` and the first indexing of the bundled article hold `write.lock`.
A writer that finds it taken says so and waits; after `timeout` seconds it gives up with a
one-line error that names the way to many concurrent writers: a Chroma server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from index.errors import StoreUnavailable

__all__ = ["WRITE_LOCK_TIMEOUT", "writing"]

WRITE_LOCK_TIMEOUT = 120.0
_QUIET_WAIT = 0.5  # seconds to wait before saying that we wait


@contextmanager
def writing(
    home: Path, *, notify: Callable[[str], None], timeout: float = WRITE_LOCK_TIMEOUT
) -> Iterator[None]:
    """Hold the index's write lock for the block (re-entrant in one process)."""
    from filelock import FileLock, Timeout

    # One object per file in this process, so that a nested `writing` re-enters the lock.
    lock = FileLock(home / "write.lock", thread_local=False, is_singleton=True)
    try:
        lock.acquire(timeout=_QUIET_WAIT)
    except Timeout:
        notify(f"Waiting for another process that is writing to the index at {home}...")
        try:
            lock.acquire(timeout=max(0.0, timeout - _QUIET_WAIT))
        except Timeout:
            raise StoreUnavailable(
                f"another process has been writing to the index at {home} for over "
                f"{timeout:g} s; try again when it is done, or let many processes write at "
                "once through a Chroma server (`chroma run`, then set ASSISTANT_CHROMA_URL)."
            ) from None
    try:
        yield
    finally:
        lock.release()
