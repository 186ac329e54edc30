"""Ctrl-C and SIGTERM stop a run cleanly and keep its finished replications.

Inside :func:`interruptible`, both signals raise :class:`Interrupted` (a ``KeyboardInterrupt``)
in the main thread, so SIGTERM behaves like Ctrl-C. While the main thread waits for workers
(:func:`polled`), a signal only sets a flag that the waiting loop reads between two short waits
(:func:`check`): an exception thrown into the middle of ``concurrent.futures.wait`` can leave
a future's lock held and hang the pool's shutdown, so there it is raised at a safe point.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Interrupted(KeyboardInterrupt):
    """The run was stopped by a signal; ``signum`` says which (exit code 128 + signum)."""

    def __init__(self, signum: int = signal.SIGINT):
        super().__init__(signal.Signals(signum).name)
        self.signum = int(signum)


def exit_code(exc: BaseException) -> int:
    """The conventional exit code of a run stopped by ``exc`` (130 for Ctrl-C, 143 SIGTERM)."""
    return 128 + int(getattr(exc, "signum", signal.SIGINT))


class _State:
    signum: int | None = None  # a signal that arrived while polled
    polled: bool = False       # True while the main thread waits for workers


_state = _State()


def _handler(signum: int, frame: object) -> None:
    if _state.polled:
        _state.signum = signum
        return
    raise Interrupted(signum)


@contextmanager
def interruptible() -> Iterator[None]:
    """While inside, Ctrl-C and SIGTERM raise :class:`Interrupted` (or set the flag, when
    polled). Only in the main thread, and only for signals that still have Python's default
    behaviour (a host program's own handlers are left alone)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    ours = {}
    for signum, default in ((signal.SIGINT, signal.default_int_handler),
                            (signal.SIGTERM, signal.SIG_DFL)):
        if signal.getsignal(signum) is default:
            ours[signum] = default
            signal.signal(signum, _handler)
    try:
        yield
    finally:
        for signum, previous in ours.items():
            signal.signal(signum, previous)
        _state.signum, _state.polled = None, False


@contextmanager
def polled() -> Iterator[None]:
    """Inside, signals only set the flag; call :func:`check` between waits."""
    before = _state.polled
    _state.polled = True
    try:
        yield
    finally:
        _state.polled = before
    if not before:
        check()


def check() -> None:
    """Raise :class:`Interrupted` if a signal arrived while polled."""
    signum, _state.signum = _state.signum, None
    if signum is not None:
        raise Interrupted(signum)


@contextmanager
def deferred_signals() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM until the block is done (a part and its log line, say): a signal
    that arrives meanwhile is raised when the block ends, so bookkeeping is never cut in half."""
    with polled():
        yield
