"""Report building and scheduling: rendering periods and their index, the published site
(``reports.site``), APScheduler jobs.

Imports ``events`` and ``ledger``; never ``cli``. Each public name is imported from its
module on first use (PEP 562): rendering a report does not load APScheduler.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from events.lazy import lazy_exports

if TYPE_CHECKING:
    from reports.errors import InvalidSchedule, ReportError, ScheduleError, UnknownSchedule
    from reports.index import render_index
    from reports.output import write_atomic
    from reports.periods import (
        Period,
        latest_complete_period,
        parse_period,
        period_containing,
        periods_between,
    )
    from reports.report import render_period
    from reports.scheduling import (
        RunSummary,
        ScheduleInfo,
        add_schedule,
        list_schedules,
        remove_schedule,
        run_pending,
        serve,
        stop_on_signals,
    )
    from reports.series import render_series
    from reports.site import PublishResult, publish_site

__all__ = [
    "InvalidSchedule",
    "Period",
    "PublishResult",
    "ReportError",
    "RunSummary",
    "ScheduleError",
    "ScheduleInfo",
    "UnknownSchedule",
    "add_schedule",
    "latest_complete_period",
    "list_schedules",
    "parse_period",
    "period_containing",
    "periods_between",
    "publish_site",
    "remove_schedule",
    "render_index",
    "render_period",
    "render_series",
    "run_pending",
    "serve",
    "stop_on_signals",
    "write_atomic",
]

#: Where each public name lives.
_MODULES = {
    "reports.errors": (
        "InvalidSchedule",
        "ReportError",
        "ScheduleError",
        "UnknownSchedule",
    ),
    "reports.index": ("render_index",),
    "reports.output": ("write_atomic",),
    "reports.periods": (
        "Period",
        "latest_complete_period",
        "parse_period",
        "period_containing",
        "periods_between",
    ),
    "reports.report": ("render_period",),
    "reports.scheduling": (
        "RunSummary",
        "ScheduleInfo",
        "add_schedule",
        "list_schedules",
        "remove_schedule",
        "run_pending",
        "serve",
        "stop_on_signals",
    ),
    "reports.series": ("render_series",),
    "reports.site": (
        "PublishResult",
        "publish_site",
    ),
}
__getattr__, __dir__ = lazy_exports(globals(), _MODULES)
