"""The open-data downloads: items.csv, status-history.csv, events.jsonl and datapackage.json.

The field lists below are the one description of each file: ``datapackage.json`` (a
Frictionless Data Package with a Table Schema per CSV file) and the downloads page are
both made from them. Dates keep the ledger's own form (``2022-03-16``, ``2022-03``,
``2022``, or a range ``2021/2023``), so they are typed as strings with a pattern. The
events file is the ledger's export up to the site's digest, so the hash chain can be
recomputed from it alone.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import orjson

from reports.site.evidence import last_evidence_of
from reports.site.model import Site

__all__ = ["DATA_FILES", "DataFile", "data_files", "datapackage"]

_FUZZY = r"^\d{4}(-\d{2}(-\d{2})?)?(/\d{4}(-\d{2}(-\d{2})?)?)?$"
_FUZZY_TEXT = "a date as the ledger keeps it: YYYY-MM-DD, YYYY-MM, YYYY or a range A/B"


@dataclass(frozen=True)
class DataFile:
    name: str
    path: str
    title: str
    description: str
    #: (name, Table Schema type, meaning, extra constraints) for tabular files
    fields: tuple[tuple[str, str, str, dict], ...]
    media: str

    @property
    def anchor(self) -> str:
        return self.name

    @property
    def field_rows(self) -> list[tuple[str, str, str]]:
        return [(name, kind, meaning) for name, kind, meaning, _ in self.fields]


_FUZZY_FIELD = {"pattern": _FUZZY}

ITEMS = DataFile(
    "items",
    "data/items.csv",
    "Items",
    "One row per item (promise, law, amendment, milestone) with its status as of the site's date.",
    (
        (
            "id",
            "string",
            "the item's permanent id; its page is items/<id>.html",
            {"required": True},
        ),
        ("kind", "string", "promise, law, amendment or milestone", {"required": True}),
        ("title", "string", "the item's title", {}),
        ("area", "string", "policy area (empty when not given)", {}),
        ("package", "string", "reform package (empty when not given)", {}),
        ("status", "string", "derived status (see the method page)", {"required": True}),
        ("since", "string", f"when it reached that status: {_FUZZY_TEXT}", _FUZZY_FIELD),
        ("evidence", "string", "evidence grade, where the method gives one", {}),
        ("deadline", "string", f"the promise's deadline: {_FUZZY_TEXT}", _FUZZY_FIELD),
        ("late", "boolean", "delivered after its deadline", {}),
        ("contested", "boolean", "sources disagree (see its page)", {}),
        ("last_evidence", "string", f"date of its latest evidence: {_FUZZY_TEXT}", _FUZZY_FIELD),
    ),
    "text/csv",
)
HISTORY = DataFile(
    "status-history",
    "data/status-history.csv",
    "Status history",
    "One row per item and period: the item's status at the end of each period the site "
    "covers (the as-of date for the current period).",
    (
        ("item", "string", "the item's id (items.csv)", {"required": True}),
        ("period", "string", "the period, as 2024-Q2, 2024-06 or 2024", {"required": True}),
        ("period_end", "date", "the day the status is computed at", {"required": True}),
        ("status", "string", "derived status at that day", {"required": True}),
    ),
    "text/csv",
)
EVENTS = DataFile(
    "events",
    "data/events.jsonl",
    "Events",
    "Every event of the ledger up to the site's digest, one canonical JSON object a line, "
    "in position order, with the hash chain (see the method page for how to check it).",
    (
        # in the order of the file's keys (canonical JSON sorts them)
        ("data", "object", "the event type's own fields", {}),
        ("effective", "string", f"when it happened: {_FUZZY_TEXT}", _FUZZY_FIELD),
        ("hash", "string", "SHA-256 of prev_hash and this event's canonical JSON", {}),
        ("id", "string", "the event's UUID", {"required": True}),
        ("item", "string", "the item's id", {"required": True}),
        ("position", "integer", "global order, from 1", {"required": True}),
        ("prev_hash", "string", "the previous event's hash", {}),
        ("recorded_at", "string", "when the ledger learned it (UTC)", {}),
        ("schema", "integer", "version of the event type's schema", {}),
        ("source", "object", "document, locator, verbatim quote, optional URL", {}),
        ("type", "string", "event type, such as promise.made or law.signed", {"required": True}),
        ("version", "integer", "order within the item, from 1", {}),
    ),
    "application/x-ndjson",
)
DATA_FILES = (ITEMS, HISTORY, EVENTS)


def _csv(header: Iterable[str], rows: Iterable[Iterable[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _flag(value: bool) -> str:
    return "true" if value else "false"


def items_csv(site: Site) -> bytes:
    rows = []
    for item in site.items.values():
        status = item.status
        rows.append(
            [
                item.id,
                item.kind,
                item.title,
                item.area,
                item.package,
                status.status,
                status.since or "",
                item.evidence or "",
                status.deadline or "",
                _flag(status.late),
                _flag(status.contested),
                last_evidence_of(status) or "",
            ]
        )
    return _csv((f[0] for f in ITEMS.fields), rows)


def history_csv(site: Site) -> bytes:
    ends = {p.name: p.end.isoformat() for p in site.periods}
    rows = [
        [item.id, cell.period, ends[cell.period], cell.status]
        for item in site.items.values()
        for cell in item.strip
    ]
    return _csv((f[0] for f in HISTORY.fields), rows)


def data_files(site: Site, events: tuple[int, str]) -> Iterator[tuple[str, bytes]]:
    """The CSV files, the digest and the data package describing them with
    ``events.jsonl`` (written apart, see ``reports.site.export``: its size and SHA-256)."""
    files = {
        ITEMS.path: items_csv(site),
        HISTORY.path: history_csv(site),
        "data/digest.txt": f"{site.digest}\n".encode(),
    }
    yield from files.items()
    described = {p: (len(data), hashlib.sha256(data).hexdigest()) for p, data in files.items()}
    described[EVENTS.path] = events
    yield "datapackage.json", datapackage(site, described)


def _schema(data: DataFile) -> dict:
    fields = []
    for name, kind, meaning, extra in data.fields:
        field: dict = {"name": name, "type": kind, "description": meaning}
        if extra:
            field["constraints"] = dict(extra)
        fields.append(field)
    schema: dict = {"fields": fields}
    if data is ITEMS:
        schema["primaryKey"] = ["id"]
    elif data is HISTORY:
        schema["primaryKey"] = ["item", "period"]
        schema["foreignKeys"] = [
            {"fields": ["item"], "reference": {"resource": "items", "fields": ["id"]}}
        ]
    elif data is EVENTS:
        schema["primaryKey"] = ["position"]
    return schema


def datapackage(site: Site, files: dict[str, tuple[int, str]]) -> bytes:
    """A Frictionless Data Package (v1) describing the data files, with their sizes and
    SHA-256 hashes (``files``: path to both)."""
    resources = []
    for data in DATA_FILES:
        size, sha256 = files[data.path]
        resources.append(
            {
                "name": data.name,
                "path": data.path,
                "title": data.title,
                "description": data.description,
                "profile": "tabular-data-resource",
                "format": "csv" if data.media == "text/csv" else "jsonl",
                "mediatype": data.media,
                "encoding": "utf-8",
                "bytes": size,
                "hash": f"sha256:{sha256}",
                "schema": _schema(data),
            }
        )
    package = {
        "profile": "data-package",
        "name": "reform-ledger",
        "title": site.title,
        "description": (
            f"Promises, laws, amendments and milestones with their derived status as of "
            f"{site.as_of.isoformat()} (method {site.method}), their status at the end of "
            f"each {site.kind} from {site.since.name}, and the ledger's events up to digest "
            f"{site.digest}."
        ),
        "resources": resources,
    }
    return orjson.dumps(package, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
