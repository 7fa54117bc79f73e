"""Child processes that do not outlive their parent."""

from __future__ import annotations

import ctypes
import ctypes.util
import signal

_PR_SET_PDEATHSIG = 1


def _load_prctl():
    """libc's prctl, looked up once here: a child may only make the call itself between fork and exec."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True).prctl
    except (OSError, AttributeError, TypeError):
        return None


_PRCTL = _load_prctl()


def die_with_parent() -> None:
    """For preexec_fn: the child gets SIGKILL when its parent dies (Linux; elsewhere nothing), so an update or
    a parser never goes on unseen after the process that started it crashed."""
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL)
