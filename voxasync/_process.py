"""Which process this is, told cheaply: every call checks it, and ``os.getpid()`` is a
system call.

``forks`` counts the forks this interpreter went through, each seen in the child (by
``os.register_at_fork``). An object that remembers the count it was made under knows it is
in a child process, holding the parent's sockets and threads, when the count moved on.
"""

from __future__ import annotations

import os

__all__ = ["forks"]

forks = 0
"""Forks so far, counted in each child: compare with the value kept when the object was made."""


def _count_fork_in_child() -> None:
    global forks
    forks += 1


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork either
    os.register_at_fork(after_in_child=_count_fork_in_child)
