"""Float runs of MES made ahead, in a helper process, while this process makes the current one.

The searches of "add1" (see `commons.budgeting.rules.equal_shares`) walk their shares one increment at a
time, and a float-filtered run (`commons.budgeting.rules.filtered`) depends on its share only. On a
machine with a second core, the run at the next share can therefore be made at the same time as the
current one: this process asks the helper for share s + 1 before running s itself, and takes the
helper's answer when the search gets there. Threads would not do: a run is mostly short numpy calls
under the interpreter lock.

Outcomes never depend on the helper: it runs the same code on the same profile, so only who computes a
run changes. A helper that is still starting is not waited for (the run is made here), a run asked for
in vain (the search stopped, or jumped) is dropped, and a helper that fails is no longer asked.
The helper is started with "spawn", the one start method safe in a process that runs threads (the web
process and the Dramatiq workers do).
"""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Final

from commons.budgeting.rules.filtered import FloatOutcome, FloatProfile

Answer = tuple[FloatOutcome | None, float]
"""A float run's outcome (None: undecided, to be made exactly) and the seconds it took the helper."""

NOT_READY: Final = None
"""What `Ahead.take` returns when the helper has no answer for the share asked."""

_profile: FloatProfile | None = None
"""In the helper process: the election it runs."""


def _receive(profile: FloatProfile) -> None:
    global _profile
    _profile = profile


def _run(share: float) -> Answer:
    if _profile is None:
        raise RuntimeError("the helper received no profile")
    start = time.perf_counter()
    return _profile.run(share), time.perf_counter() - start


def spare_cores() -> int:
    """How many cores this process may use besides the one it runs on."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 1
    return usable - 1


class Ahead:
    """One helper process running, for the search, the share it will most likely ask next.

    Use: `take(share)` first; when it returns `NOT_READY`, `ask(next_share)` and make the run at `share`
    here meanwhile. `close()` when the search is over.
    """

    def __init__(self, profile: FloatProfile) -> None:
        self._pool: ProcessPoolExecutor | None = ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context("spawn")
        )
        # Sent as the first task rather than with the process: the pool's feeder thread writes it, so this
        # process goes on while the helper starts (as process arguments, it would wait for the helper).
        self._pool.submit(_receive, profile)
        self._asked: tuple[Any, Future[Answer]] | None = None
        self._ready = False  # the helper has answered once: it is worth waiting for from now on
        self.answered = 0

    def ask(self, share: Any) -> None:
        """Start the run at `share` in the helper, unless it is still busy with an earlier one."""
        if self._pool is None:
            return
        if self._asked is not None:
            asked, future = self._asked
            if asked == share:
                return
            if future.done():
                self._ready = True
            elif not future.cancel():
                return
        try:
            self._asked = (share, self._pool.submit(_run, float(share)))
        except (BrokenProcessPool, RuntimeError):
            self.close()

    def take(self, share: Any) -> Answer | None:
        """The helper's answer for `share` if it was asked for it and is ready (or worth waiting for),
        else `NOT_READY`."""
        if self._asked is None or self._asked[0] != share:
            return NOT_READY
        future = self._asked[1]
        if not (future.done() or self._ready):
            return NOT_READY
        self._asked = None
        try:
            answer = future.result()
        except (BrokenProcessPool, RuntimeError):
            self.close()
            return NOT_READY
        self._ready = True
        self.answered += 1
        return answer

    def close(self) -> None:
        """Stop the helper (a run under way is finished and dropped)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        self._asked = None
