"""Geometry of the inline SVG charts: numbers only, already formatted as text.

The HTML template draws these shapes and escapes every label; nothing here emits
markup. Coordinates are rounded to one decimal so the output is the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Bar", "ProgressBar", "Segment", "StackedChart", "progress_bar", "stacked_bars"]

_WIDTH = 640
_HEIGHT = 220
_LEFT = 36
_BOTTOM = 28
_TOP = 10


def _n(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


@dataclass(frozen=True)
class Segment:
    key: str
    label: str
    colour: str
    count: int
    x: str
    y: str
    width: str
    height: str


@dataclass(frozen=True)
class Bar:
    name: str
    total: int
    segments: list[Segment]
    label_x: str
    label_y: str
    show_label: bool


@dataclass(frozen=True)
class StackedChart:
    width: int
    height: int
    bars: list[Bar]
    ticks: list[tuple[str, str]]  # (y, value)
    axis_x: str
    axis_y: str
    axis_right: str


def stacked_bars(
    names: list[str],
    counts: list[dict[str, int]],
    order: tuple[str, ...],
    words: dict[str, str],
    colours: dict[str, str],
) -> StackedChart:
    """One bar per period name, stacked by status in ``order``."""
    plot_w = _WIDTH - _LEFT - 8
    plot_h = _HEIGHT - _BOTTOM - _TOP
    top = max([sum(c.values()) for c in counts] + [1])
    step = _nice_step(top)
    scale_top = step * -(-top // step)
    slot = plot_w / max(len(names), 1)
    width = max(min(slot * 0.7, 48), 2)
    every = max(1, round(len(names) / 8 + 0.49))
    bars = []
    for index, (name, count) in enumerate(zip(names, counts, strict=True)):
        x = _LEFT + index * slot + (slot - width) / 2
        y = _TOP + plot_h
        segments = []
        for key in order:
            value = count.get(key, 0)
            if not value:
                continue
            h = plot_h * value / scale_top
            y -= h
            segments.append(
                Segment(key, words[key], colours[key], value, _n(x), _n(y), _n(width), _n(h))
            )
        last = index == len(names) - 1
        bars.append(
            Bar(
                name,
                sum(count.values()),
                segments,
                _n(x + width / 2),
                _n(_TOP + plot_h + 16),
                index % every == 0 or last,
            )
        )
    ticks = [
        (_n(_TOP + plot_h - plot_h * value / scale_top), str(value))
        for value in range(0, scale_top + 1, step)
    ]
    return StackedChart(_WIDTH, _HEIGHT, bars, ticks, _n(_LEFT), _n(_TOP + plot_h), _n(_WIDTH - 8))


def _nice_step(top: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000):
        if top / step <= 5:
            return step
    return 10 ** len(str(top // 5))


@dataclass(frozen=True)
class ProgressBar:
    width: int
    height: int
    fill: str
    marker: str | None
    colour: str


def progress_bar(
    progress: float | None, elapsed: float | None, on_track: bool | None
) -> ProgressBar:
    """A bar filled to ``progress`` (0–1, clipped) with a tick at the share of time elapsed."""
    width, height = 200, 14
    fill = 0.0 if progress is None else min(max(progress, 0.0), 1.0) * width
    marker = None if elapsed is None else _n(min(max(elapsed, 0.0), 1.0) * width)
    colour = "#238b45" if on_track else "#e6550d" if on_track is False else "#4292c6"
    return ProgressBar(width, height, _n(fill), marker, colour)
