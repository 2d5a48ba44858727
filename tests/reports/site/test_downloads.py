"""The site's data: the Atom feeds parse with stable ids, the data package validates with
Frictionless, and a real Datasette serves the SQLite read model."""

from __future__ import annotations

import csv
import json
import socket
import subprocess
import sys
import time
import urllib.request
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

ATOM = "{http://www.w3.org/2005/Atom}"
BIN = Path(sys.executable).parent


def atom_entries(path: Path) -> list[ElementTree.Element]:
    """The entries of a feed, after checking what Atom 1.0 requires of feed and entries."""
    root = ElementTree.parse(path).getroot()
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{name}") is not None, name
    entries = root.findall(f"{ATOM}entry")
    for entry in entries:
        for name in ("id", "title", "updated", "link", "content"):
            assert entry.find(f"{ATOM}{name}") is not None, name
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(ids) == len(set(ids)), "entry ids repeat"
    return entries


def test_the_feeds_are_atom_with_one_entry_per_status_change(demo_site):
    entries = atom_entries(demo_site / "feed.xml")
    assert len(entries) > 100
    first = entries[0]
    assert first.find(f"{ATOM}link").get("href").startswith("https://example.org/kazakhstan/items/")
    assert "Cause:" in first.findtext(f"{ATOM}content") or "passed" in first.findtext(
        f"{ATOM}content"
    )
    updated = [e.findtext(f"{ATOM}updated") for e in entries]
    assert updated == sorted(updated, reverse=True)
    area_feeds = sorted((demo_site / "feeds").glob("area-*.xml"))
    assert len(area_feeds) > 5
    total = sum(len(atom_entries(path)) for path in area_feeds)
    assert total >= len(entries)


def test_the_data_package_validates_with_frictionless(demo_site):
    done = subprocess.run(
        [str(BIN / "frictionless"), "validate", "--json", "datapackage.json"],
        cwd=demo_site,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    report = json.loads(done.stdout)
    assert report["valid"], done.stdout[:3000]
    assert {task["name"] for task in report["tasks"]} == {"items", "status-history", "events"}


def test_items_csv_has_one_row_per_item(demo_site):
    with (demo_site / "data/items.csv").open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == len(list((demo_site / "items").glob("*.html"))) - 1  # minus the index
    row = next(r for r in rows if r["id"] == "party-registration-threshold")
    assert (row["kind"], row["status"], row["late"]) == ("promise", "delivered", "false")
    assert list(row) == [
        "id",
        "kind",
        "title",
        "area",
        "package",
        "status",
        "since",
        "evidence",
        "deadline",
        "late",
        "contested",
        "last_evidence",
    ]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> object:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture
def datasette(demo_site):
    port = _free_port()
    server = subprocess.Popen(
        [
            str(BIN / "datasette"),
            "serve",
            "-i",
            "data/reform-ledger.db",
            "--metadata",
            "data/metadata.json",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=demo_site,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(f"{base}/-/versions.json")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"datasette did not start: {server.stderr.read().decode()}")
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_datasette_serves_the_read_model(datasette):
    rows = _get(
        f"{datasette}/reform-ledger/items.json?id=party-registration-threshold&_shape=array"
    )
    assert len(rows) == 1
    assert rows[0]["status"] == "delivered" and rows[0]["kind"] == "promise"
    assert rows[0]["page"] == "items/party-registration-threshold.html"
    found = _get(f"{datasette}/reform-ledger/items.json?_search=signatures&_shape=array")
    assert "party-registration-threshold" in {r["id"] for r in found}
    quotes = _get(f"{datasette}/reform-ledger/events.json?_search=referendum&_shape=array")
    assert quotes and all("referendum" in (r["quote"] + r["description"]).lower() for r in quotes)
    history = _get(
        f"{datasette}/reform-ledger/status_history.json"
        "?item=party-registration-threshold&period=2024-Q2&_shape=array"
    )
    assert [r["status"] for r in history] == ["delivered"]
