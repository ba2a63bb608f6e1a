"""Disruption timelines: windows ``[start, end)`` (days), drawn or given, and what they imply.

A :class:`Timeline` answers the questions the model asks of an event (is it active, when does
it end, how much up time has passed); :func:`draw_outage` draws an outage's windows from its
stream, and :func:`daily_capacity` turns down windows and ramp-ups into each day's capacity.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable

import numpy as np

from jitsim.scenario.disruptions import Outage
from jitsim.streams import BlockSampler

Interval = tuple[float, float]


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, disjoint union of half-open intervals ``[start, end)`` (empty ones dropped)."""
    merged: list[list[float]] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


class Timeline:
    """A union of half-open windows ``[start, end)`` (days): when a node is down, or an event
    is active.

    Parameters
    ----------
    windows : iterable of (float, float)
        Windows (days); overlapping or touching ones are merged.
    """

    __slots__ = ("ends", "starts", "windows")

    def __init__(self, windows: Iterable[Interval]) -> None:
        self.windows = merge(windows)
        self.starts = [w[0] for w in self.windows]
        self.ends = [w[1] for w in self.windows]

    def _index(self, t: float) -> int:
        """Index of the last window starting at or before ``t`` (−1 if none)."""
        return bisect_right(self.starts, t) - 1

    def is_down(self, t: float) -> bool:
        """Whether ``t`` lies inside a window."""
        i = bisect_right(self.starts, t) - 1
        return i >= 0 and t < self.ends[i]

    def up_at(self, t: float) -> float:
        """``t``, or the end of the window containing ``t``."""
        i = self._index(t)
        return self.ends[i] if i >= 0 and t < self.ends[i] else t

    def downtime(self, a: float, b: float) -> float:
        """Days of ``[a, b)`` inside windows."""
        total = 0.0
        for start, end in self.windows:
            if end <= a:
                continue
            if start >= b:
                break
            total += min(end, b) - max(start, a)
        return total

    def finish(self, start: float, work: float) -> float:
        """Earliest time by which ``work`` days of *up* time have passed since ``start``.

        The clock stands still inside windows: work that starts inside a window starts at its
        end, and work that would end exactly when a window opens ends then.
        """
        starts, ends = self.starts, self.ends
        i = self._index(start)
        t = start
        if i >= 0 and t < ends[i]:
            t = ends[i]
        i += 1
        remaining = work
        while i < len(starts) and starts[i] < t + remaining:
            remaining -= starts[i] - t
            t = ends[i]
            i += 1
        return t + remaining


def draw_outage(event: Outage, rng: np.random.Generator, horizon: float) -> list[Interval]:
    """The down windows of an outage event over ``[0, horizon)`` (days)."""
    if event.windows is not None:
        return merge((w.start, w.start + w.days) for w in event.windows)
    windows: list[Interval] = []
    if event.up is not None and event.down is not None:
        # Alternating renewal process, up at time 0.
        up, down = BlockSampler(event.up, rng), BlockSampler(event.down, rng)
        t = 0.0
        while True:
            t += up.next()
            if t >= horizon:
                break
            length = down.next()
            windows.append((t, t + length))
            t += length
        return merge(windows)
    assert event.p_down is not None and event.p_up is not None
    # Two-state Markov chain, one step at the start of each day, up before day 0.
    days = math.ceil(horizon)
    draws = rng.random(days).tolist()
    p_down, p_up = event.p_down, event.p_up
    is_down = False
    for day, u in enumerate(draws):
        is_down = u >= p_up if is_down else u < p_down
        if is_down:
            windows.append((float(day), float(day + 1)))
    return merge(windows)


def daily_capacity(
    timeline: Timeline, capacity: float, ramp_days: float, horizon: int
) -> list[float]:
    r"""Capacity of each day ``d`` of ``[0, horizon)``: :math:`c\int_d^{d+1} a(t)\,dt`.

    The availability :math:`a(t)` is 0 inside a window, rises linearly from 0 to 1 over
    ``ramp_days`` after each window ends (cut short by the next window), and is 1 otherwise.
    """
    deficit = np.zeros(horizon + 1)

    def remove(a: float, b: float, ramp_from: float | None) -> None:
        """Take the unavailable part of ``[a, b)`` off the days it covers."""
        day = max(math.floor(a), 0)
        while day < horizon and day < b:
            x, y = max(a, day), min(b, day + 1.0)
            if y > x:
                if ramp_from is None:
                    deficit[day] += y - x
                else:  # ∫ (1 − (t − e)/R) dt over [x, y]
                    e = ramp_from
                    deficit[day] += (y - x) - ((y - e) ** 2 - (x - e) ** 2) / (2.0 * ramp_days)
            day += 1

    windows = timeline.windows
    for index, (start, end) in enumerate(windows):
        remove(start, end, None)
        if ramp_days > 0:
            following = windows[index + 1][0] if index + 1 < len(windows) else math.inf
            remove(end, min(end + ramp_days, following), end)
    return (capacity * np.clip(1.0 - deficit[:horizon], 0.0, 1.0)).tolist()
