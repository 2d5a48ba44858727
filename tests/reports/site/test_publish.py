"""publish_site on a small ledger: a rebuild after one new event rewrites only the files
that event touches, feed ids stay stable, stale pages go, and bad options are refused."""

from __future__ import annotations

import re
import sqlite3
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import orjson
import pytest

from events import Event
from ledger import FoldedLog, catch_up, fold_log, open_store
from reports import ReportError, publish_site
from reports.site.database import DATABASE, database_bytes, updated_database_bytes
from reports.site.manifest import MANIFEST
from reports.site.publish import build
from tests.conftest import registered
from tests.reports.conftest import add_2024_event, build_ledger, event
from tests.reports.site.test_downloads import ATOM, atom_entries

AS_OF = "2024-06-30"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def database_contents(path: Path) -> dict[str, object]:
    """Every table's rows in rowid order, the schema, and the full-text answers for every
    word the searchable columns hold; both indexes checked against their tables."""
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        schema = connection.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name")
        contents: dict[str, object] = {"schema": schema.fetchall()}
        for (table,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%fts%'"
        ).fetchall():
            contents[table] = connection.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
        for fts, columns in (
            ("items_fts", "title, statement"),
            ("events_fts", "description, quote"),
        ):
            connection.execute(f"INSERT INTO {fts}({fts}) VALUES ('integrity-check')")
            table = fts.removesuffix("_fts")
            text = " ".join(
                str(value or "")
                for row in connection.execute(f"SELECT {columns} FROM {table}")
                for value in row
            )
            words = sorted(set(re.findall(r"[a-z0-9]+", text.lower())))
            assert words
            contents[fts] = [
                connection.execute(
                    f"SELECT rowid FROM {fts} WHERE {fts} MATCH ? ORDER BY rowid", (f'"{word}"',)
                ).fetchall()
                for word in words
            ]
    finally:
        connection.close()
    return contents


def same_site(folder: Path, fresh: Path) -> None:
    """The two folders hold the same bytes, except that the database (updated in place
    by a rebuild) is compared by what it holds, and the manifest without its digest."""
    files, expected = snapshot(folder), snapshot(fresh)
    assert files.keys() == expected.keys()
    for name in (DATABASE, MANIFEST):
        files.pop(name), expected.pop(name)
    assert files == expected
    assert database_contents(folder / DATABASE) == database_contents(fresh / DATABASE)
    manifests = [orjson.loads((f / MANIFEST).read_bytes())["files"] for f in (folder, fresh)]
    for manifest in manifests:
        manifest[DATABASE] = manifest[DATABASE][0]  # what it was made from, not its bytes
    assert manifests[0] == manifests[1]


def feed_ids(path: Path) -> list[str]:
    return [e.findtext(f"{ATOM}id") for e in atom_entries(path)]


def abandoned_in_may() -> Event:
    """One new event for a rebuild: a promise abandoned in 2024-Q2, learned in July."""
    return event(
        "promise.abandoned",
        "ombudsman",
        "2024-05-02",
        recorded_at="2024-07-02T00:00:00Z",
        reason="Dropped.",
    )


def test_one_new_event_rewrites_only_what_it_touches(ledger, tmp_path):
    out = tmp_path / "site"
    first = publish_site(ledger, out, as_of=AS_OF)
    assert first.written and first.periods[0] == "2021-Q3"
    before = snapshot(out)
    ids_before = feed_ids(out / "feed.xml")

    add_2024_event(ledger)  # a measurement of party-signatures, March 2024
    second = publish_site(ledger, out, as_of=AS_OF)
    written = {p.relative_to(out).as_posix() for p in second.written}
    assert "items/party-signatures.html" in written
    assert {"periods/2024-Q1.html", "periods/2024-Q1.md", "data/events.jsonl"} <= written
    assert written <= {  # its page, the lists showing its last evidence, what counts events
        "items/party-signatures.html",
        "items/index.html",
        "areas/parties.html",
        "packages/march-2022-address.html",
        "sources.html",
        "periods/2024-Q1.html",
        "periods/2024-Q1.md",
        "periods/2024-Q2.html",
        "periods/2024-Q2.md",
        "method.html",
        "downloads.html",
        "datapackage.json",
        "data/events.jsonl",
        "data/digest.txt",
        "data/items.csv",
        "data/reform-ledger.db",
        "data/metadata.json",
        ".reform-ledger-site.json",  # the build manifest
        ".reform-ledger-series.json.gz",  # the statuses the next build reuses
        ".reform-ledger-model.json.gz",  # the model the next build brings up to date
    }
    after = snapshot(out)
    assert [name for name in before if name not in written and before[name] != after[name]] == []
    assert second.unchanged == len(before) - len(written)
    assert feed_ids(out / "feed.xml") == ids_before  # no status changed

    ledger.append([abandoned_in_may()])
    third = publish_site(ledger, out, as_of=AS_OF)
    ids = feed_ids(out / "feed.xml")
    assert set(ids_before) < set(ids) and len(ids) == len(ids_before) + 1
    newest = atom_entries(out / "feed.xml")[0]
    assert newest.findtext(f"{ATOM}title").endswith(": Broken")
    assert "Dropped." in newest.findtext(f"{ATOM}content")
    assert "items/ombudsman.html" in {p.relative_to(out).as_posix() for p in third.written}
    assert publish_site(ledger, out, as_of=AS_OF).written == []


def test_a_rebuild_after_changes_equals_a_fresh_build_byte_for_byte(ledger, tmp_path):
    """Byte for byte but the database, which holds the same rows and answers."""
    out, fresh = tmp_path / "site", tmp_path / "fresh"
    publish_site(ledger, out, as_of=AS_OF)
    add_2024_event(ledger)
    ledger.append([abandoned_in_may()])
    rebuilt = publish_site(ledger, out, as_of=AS_OF)
    assert rebuilt.written and rebuilt.unchanged
    publish_site(ledger, fresh, as_of=AS_OF)
    same_site(out, fresh)
    # (the rebuild brought the last database up to date rather than making it afresh)
    assert (out / DATABASE).read_bytes() != (fresh / DATABASE).read_bytes()
    # other options change what every page shows: nothing is kept from the last build
    publish_site(ledger, out, as_of="2024-05-31", base_url="https://example.org/l")
    publish_site(ledger, tmp_path / "other", as_of="2024-05-31", base_url="https://example.org/l")
    same_site(out, tmp_path / "other")


def test_edited_or_deleted_files_are_written_again(ledger, tmp_path):
    out = tmp_path / "site"
    publish_site(ledger, out, as_of=AS_OF)
    before = snapshot(out)
    edited, deleted = out / "items" / "court.html", out / "periods" / "2024-Q1.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("Court", "Cort"), "utf-8")
    deleted.unlink()
    (out / "data" / "events.jsonl").write_bytes(b"{}\n")
    result = publish_site(ledger, out, as_of=AS_OF)
    assert {p.relative_to(out).as_posix() for p in result.written} == {
        "items/court.html",
        "periods/2024-Q1.md",
        "data/events.jsonl",
    }
    assert snapshot(out) == before
    (out / ".reform-ledger-site.json").write_text("not json", encoding="utf-8")
    again = publish_site(ledger, out, as_of=AS_OF)
    assert [p.relative_to(out).as_posix() for p in again.written] == [".reform-ledger-site.json"]
    assert snapshot(out) == before


def test_stale_pages_of_the_site_are_removed_and_others_left(ledger, tmp_path):
    out = tmp_path / "site"
    publish_site(ledger, out, as_of=AS_OF)
    stale, mine = out / "items" / "gone.html", out / "notes.txt"
    stale.write_text("old", encoding="utf-8")
    mine.write_text("kept", encoding="utf-8")
    result = publish_site(ledger, out, as_of=AS_OF)
    assert result.removed == [stale] and not stale.exists() and mine.exists()


def test_since_and_period_shape_the_reports(ledger, tmp_path):
    result = publish_site(ledger, tmp_path / "y", as_of=AS_OF, period="year", since="2022")
    assert result.periods == ["2022", "2023", "2024"]
    monthly = publish_site(
        ledger, tmp_path / "m", as_of="2023-03-31", period="month", since="2023-01"
    )
    assert monthly.periods == ["2023-01", "2023-02", "2023-03"]
    assert (tmp_path / "m/periods/2023-02.md").is_file()


def test_quiet_quarters_differ_only_in_their_period_lines(ledger, tmp_path):
    out = tmp_path / "site"
    publish_site(ledger, out, as_of=AS_OF)
    first = (out / "periods/2024-Q1.md").read_text(encoding="utf-8").splitlines()
    second = (out / "periods/2024-Q2.md").read_text(encoding="utf-8").splitlines()
    assert "No item changed status." in first and "No item changed status." in second
    differing = [(a, b) for a, b in zip(first, second, strict=True) if a != b]
    named = re.compile(r"\d{4}-Q\d")  # a period line names its period or the previous one
    assert differing and all(named.search(a) and named.search(b) for a, b in differing)
    assert len(differing) == 4


def test_og_metadata_only_with_a_base_url(ledger, tmp_path):
    publish_site(ledger, tmp_path / "plain", as_of=AS_OF)
    assert "og:" not in (tmp_path / "plain/index.html").read_text(encoding="utf-8")
    publish_site(ledger, tmp_path / "shared", as_of=AS_OF, base_url="https://example.org/l")
    page = (tmp_path / "shared/items/court.html").read_text(encoding="utf-8")
    assert '<meta property="og:url" content="https://example.org/l/items/court.html">' in page
    root = ElementTree.parse(tmp_path / "shared/feed.xml").getroot()
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == "https://example.org/l/feed.xml"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"period": "week"}, "--period 'week' is not month, quarter or year"),
        ({"since": "2023-05"}, "--since 2023-05 is a month, but the site is built per quarter"),
        ({"since": "spring"}, "period 'spring' is not a year, quarter or month"),
        ({"base_url": "javascript:alert(1)"}, "is not an http or https URL"),
    ],
)
def test_bad_options_are_refused_before_anything_is_written(ledger, tmp_path, options, message):
    with pytest.raises(ReportError, match=message.replace("(", r"\(").replace(")", r"\)")):
        publish_site(ledger, tmp_path / "site", as_of=AS_OF, **options)
    assert not (tmp_path / "site").exists()


def test_events_of_another_ledger_are_exported_whole_not_extended(ledger, tmp_path):
    out = tmp_path / "site"
    publish_site(ledger, out, as_of=AS_OF)
    other = open_store(f"sqlite:///{tmp_path / 'other.db'}", create=True)
    try:
        registered(other, "doc-other.txt")  # a longer chain that does not extend the first
        build_ledger(registered(other))
        add_2024_event(other)
        publish_site(other, out, as_of=AS_OF)
        publish_site(other, tmp_path / "fresh", as_of=AS_OF)
    finally:
        other.close()
    assert snapshot(out) == snapshot(tmp_path / "fresh")


def test_the_database_is_brought_up_to_date_when_the_ledger_only_grew(ledger, tmp_path):
    first = publish_site(ledger, tmp_path / "site", as_of=AS_OF)
    previous = (tmp_path / "site" / DATABASE).read_bytes()
    position = int(first.digest.partition(":")[0])
    add_2024_event(ledger)
    site = build(ledger, as_of=AS_OF)
    fresh = database_bytes(site)
    updated = updated_database_bytes(site, previous, position)
    assert updated != fresh  # its free pages and index segments differ, not what it holds
    for name, body in (("fresh.db", fresh), ("updated.db", updated)):
        (tmp_path / name).write_bytes(body)
    assert database_contents(tmp_path / "updated.db") == database_contents(tmp_path / "fresh.db")
    # a file that does not end where it is said to is built afresh
    assert updated_database_bytes(site, previous, position - 1) == fresh
    assert updated_database_bytes(site, b"not a database" * 300, position) == fresh


def test_rebuilds_with_events_not_yet_happened_or_an_earlier_known_at(ledger, tmp_path):
    out = tmp_path / "site"
    later = event("law.in_force", "law-akims", "2024-09-01", recorded_at="2024-07-01T00:00:00Z")
    ledger.append([later])  # known, but not yet happened as of the site's date
    publish_site(ledger, out, as_of=AS_OF)
    add_2024_event(ledger)
    publish_site(ledger, out, as_of=AS_OF)
    publish_site(ledger, tmp_path / "fresh", as_of=AS_OF)
    same_site(out, tmp_path / "fresh")
    assert (out / DATABASE).read_bytes() != (tmp_path / "fresh" / DATABASE).read_bytes()
    # as known before either: the database must lose what it held, not keep it
    publish_site(ledger, out, as_of=AS_OF, known_at="2024-06-30")
    publish_site(ledger, tmp_path / "then", as_of=AS_OF, known_at="2024-06-30")
    same_site(out, tmp_path / "then")


def test_events_are_appended_in_place_and_a_torn_append_is_exported_whole(ledger, tmp_path):
    """The export grows in place when the ledger only grew; a file longer or shorter than
    the last build recorded (an append a crash cut short) is written whole."""
    out, fresh = tmp_path / "site", tmp_path / "fresh"
    publish_site(ledger, out, as_of=AS_OF)
    exported = out / "data" / "events.jsonl"
    inode = exported.stat().st_ino
    add_2024_event(ledger)
    publish_site(ledger, out, as_of=AS_OF)
    assert exported.stat().st_ino == inode  # extended, not replaced
    publish_site(ledger, fresh, as_of=AS_OF)
    same_site(out, fresh)

    with exported.open("ab") as stream:  # a crash midway through the next append
        stream.write(b'{"data":{},"effective":"2024-0')
    ledger.append([abandoned_in_may()])
    rebuilt = publish_site(ledger, out, as_of=AS_OF)
    assert exported in rebuilt.written and exported.stat().st_ino != inode
    publish_site(ledger, fresh, as_of=AS_OF)
    same_site(out, fresh)
    exported.write_bytes(exported.read_bytes()[:-10])  # cut short
    assert exported in publish_site(ledger, out, as_of=AS_OF).written
    same_site(out, fresh)


def test_a_database_update_without_its_manifest_is_not_trusted(ledger, tmp_path):
    """A database brought up to date by a build that then stopped before writing its
    manifest holds newer events than the manifest names: it is built fresh. One that is
    not the size the manifest names (edited) is built fresh too."""
    out, fresh = tmp_path / "site", tmp_path / "fresh"
    publish_site(ledger, out, as_of=AS_OF)
    manifest = (out / MANIFEST).read_bytes()
    add_2024_event(ledger)
    publish_site(ledger, out, as_of=AS_OF)
    (out / MANIFEST).write_bytes(manifest)  # as if the build had stopped before it
    ledger.append([abandoned_in_may()])
    rebuilt = publish_site(ledger, out, as_of=AS_OF)
    publish_site(ledger, fresh, as_of=AS_OF)
    assert (out / DATABASE).read_bytes() == (fresh / DATABASE).read_bytes()  # made afresh
    assert out / DATABASE in rebuilt.written
    same_site(out, fresh)

    connection = sqlite3.connect(out / DATABASE)
    with connection:
        connection.execute("UPDATE items SET title = 'edited' WHERE id = 'court'")
        connection.execute("CREATE TABLE padding (x)")  # a new page: another size
    connection.close()
    assert out / DATABASE in publish_site(ledger, out, as_of=AS_OF).written
    same_site(out, fresh)


def test_a_build_stopped_after_updating_the_database_leaves_it_untrusted(
    ledger, tmp_path, monkeypatch
):
    """The update is committed, then the build stops before its manifest: the next build,
    back at the first build's options, must not keep the database as the first build's."""
    from reports.site import publish as publishing

    out, fresh = tmp_path / "site", tmp_path / "fresh"
    publish_site(ledger, out, as_of=AS_OF)
    real = publishing.update_database

    def update_then_stop(*args, **kwargs):
        real(*args, **kwargs)
        raise KeyboardInterrupt  # the process ends here

    monkeypatch.setattr(publishing, "update_database", update_then_stop)
    with pytest.raises(KeyboardInterrupt):
        publish_site(ledger, out, as_of="2024-03-31")  # other statuses: tables rewritten
    monkeypatch.undo()
    publish_site(ledger, out, as_of=AS_OF)
    publish_site(ledger, fresh, as_of=AS_OF)
    same_site(out, fresh)


def test_the_whole_build_leaves_the_ledger_checkpoint_current(ledger, tmp_path):
    """It folded every event: the next status or one-period report folds nothing, and
    the saved log is what a replay gives. A build that brings the last one's model up
    to date reads only the new events and leaves them for the next reader to fold."""
    publish_site(ledger, tmp_path / "site", as_of=AS_OF)
    caught = catch_up(ledger)
    assert (caught.folded, caught.position) == (0, ledger.head().position)
    add_2024_event(ledger)
    publish_site(ledger, tmp_path / "site", as_of=AS_OF)
    caught = catch_up(ledger)
    replayed = FoldedLog()
    fold_log(replayed, ledger.read())
    assert (caught.folded, caught.position) == (1, ledger.head().position)
    assert caught.log == replayed
