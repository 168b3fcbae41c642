"""Terminal output for the ``vox`` command and the demo: aligned tables and a progress line.

Standard library only, and imported only by the entry points (``voxasync.cli``,
``voxasync._demo``), never by ``import voxasync``.
"""

from __future__ import annotations

import collections
import os
import shutil
import sys
import threading
import time
import unicodedata
from collections.abc import Sequence
from typing import TextIO

from .models import ms_to_datetime

__all__ = ["Progress", "format_duration", "format_ms", "format_table", "is_terminal", "one_line"]


def is_terminal(stream: TextIO) -> bool:
    """Whether ``stream`` is an interactive terminal that understands ``\\r`` redraws."""
    try:
        return stream.isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: East Asian wide characters take two."""
    return sum(
        0 if unicodedata.combining(char) else 2 if unicodedata.east_asian_width(char) in "WF"
        else 1
        for char in text
    )


def one_line(text: str) -> str:
    """``text`` with line breaks and tabs turned into spaces, so that one record is one line."""
    return " ".join(text.split())


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, gap: str = "  ") -> str:
    """A plain-text table, columns left-aligned; no trailing spaces on any line."""
    widths = [display_width(header) for header in headers]
    for row in rows:
        for column, cell in enumerate(row):
            widths[column] = max(widths[column], display_width(cell))
    lines = []
    for row in (headers, *rows):
        cells = [cell + " " * (widths[i] - display_width(cell)) for i, cell in enumerate(row)]
        lines.append(gap.join(cells).rstrip())
    return "\n".join(lines)


def format_ms(ms: int | None) -> str:
    """A millisecond timestamp as ``YYYY-MM-DD HH:MM`` in UTC, or ``-`` for none."""
    if ms is None:
        return "-"
    return ms_to_datetime(ms).strftime("%Y-%m-%d %H:%M")


def format_duration(seconds: float) -> str:
    """``42s``, ``3m05s``, ``2h07m``: a time left, to the precision that matters."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


class Progress:
    """A one-line progress bar on a terminal, redrawn in place with ``\\r``: counts, the
    rate over the last few seconds, and the time left at that rate.

    Thread-safe (batch results arrive on the client's own thread) and throttled to a few
    redraws per second. When ``stream`` is not a terminal it draws nothing at all, so piped
    output stays clean. (Written here rather than taken from tqdm or rich: the command is
    standard library only, and a bar is a few lines.)
    """

    #: Seconds of history the rate is measured over: recent enough to follow a 429 pause.
    WINDOW = 10.0

    def __init__(
        self, total: int, *, label: str = "", stream: TextIO | None = None,
        enabled: bool | None = None,
    ) -> None:
        self.total = total
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = is_terminal(self.stream) if enabled is None else enabled
        self.done = 0
        self.failed = 0
        self._lock = threading.Lock()
        self._last_draw = 0.0
        self._drawn = False
        self._samples: collections.deque[tuple[float, int]] = collections.deque()

    def advance(self, *, ok: bool) -> None:
        """Count one settled item and redraw (at most every 50 ms, and always at the end)."""
        with self._lock:
            self.done += 1
            if not ok:
                self.failed += 1
            now = time.monotonic()
            self._samples.append((now, self.done))
            while len(self._samples) > 2 and now - self._samples[0][0] > self.WINDOW:
                self._samples.popleft()
            if self.done >= self.total or now - self._last_draw >= 0.05:
                self._last_draw = now
                self._draw()

    def start(self) -> None:
        with self._lock:
            self._samples.append((time.monotonic(), self.done))
            self._draw()

    def rate(self) -> float | None:
        """Items per second over the last :attr:`WINDOW` seconds (None until measurable)."""
        if len(self._samples) < 2:
            return None
        (start, first), (end, last) = self._samples[0], self._samples[-1]
        return (last - first) / (end - start) if end > start else None

    def status(self) -> str:
        """``12/40 (1 failed), 4.9/s, 6s left``: what the bar shows after it."""
        text = f"{self.done}/{self.total}"
        if self.failed:
            text += f" ({self.failed} failed)"
        rate = self.rate()
        if rate is not None:
            text += f", {rate:.1f}/s"
            if rate > 0 and self.done < self.total:
                text += f", {format_duration((self.total - self.done) / rate)} left"
        return text

    def finish(self) -> None:
        """End the bar's line so that what follows starts on a fresh one."""
        with self._lock:
            if self.enabled and self._drawn:
                self.stream.write("\n")
                self.stream.flush()
                self._drawn = False

    def _draw(self) -> None:
        if not self.enabled:
            return
        columns = shutil.get_terminal_size((80, 24)).columns
        counts = " " + self.status()
        label = f"{self.label} " if self.label else ""
        bar_width = max(10, min(40, columns - len(label) - len(counts) - 4))
        filled = bar_width * self.done // self.total if self.total else bar_width
        bar = "#" * filled + "-" * (bar_width - filled)
        self.stream.write(f"\r{label}[{bar}]{counts}\x1b[K")
        self.stream.flush()
        self._drawn = True
