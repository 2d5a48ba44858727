"""`reform-ledger publish`: the site from the command line, and its errors in one line."""

from __future__ import annotations

from typer.testing import CliRunner

import cli
from tests.reports.conftest import build_ledger


def test_publish_writes_the_site_and_then_nothing(sqlite_store, tmp_path):
    build_ledger(sqlite_store)
    db, out = sqlite_store.url.removeprefix("sqlite:///"), tmp_path / "site"
    args = ["--db", db, "publish", "--out", str(out), "--as-of", "2024-06-30"]
    first = CliRunner().invoke(cli.app, [*args, "--title", "Test ledger"])
    assert first.exit_code == 0, first.output
    assert "0 removed" in first.stderr and f"open {out / 'index.html'}" in first.stderr
    assert str(out / "items" / "court.html") in first.stdout.splitlines()
    assert "<title>Test ledger · Test ledger</title>" in (out / "index.html").read_text("utf-8")
    again = CliRunner().invoke(cli.app, [*args, "--title", "Test ledger"])
    assert again.exit_code == 0 and again.stdout == ""
    assert again.stderr.startswith("0 file(s) written, ")


def test_publish_refuses_bad_options_in_one_line(sqlite_store, tmp_path):
    build_ledger(sqlite_store)
    db = sqlite_store.url.removeprefix("sqlite:///")
    result = CliRunner().invoke(
        cli.app, ["--db", db, "publish", "--out", str(tmp_path / "s"), "--since", "2023-05"]
    )
    assert result.exit_code == 7
    assert result.stderr == (
        "error: --since 2023-05 is a month, but the site is built per quarter "
        "(give a quarter, or --period month)\n"
    )
    assert not (tmp_path / "s").exists()


def test_publish_period_only_writes_that_report_as_the_whole_build_does(sqlite_store, tmp_path):
    build_ledger(sqlite_store)
    db = sqlite_store.url.removeprefix("sqlite:///")
    whole, one = tmp_path / "whole", tmp_path / "one"
    args = ["--db", db, "publish", "--as-of", "2024-06-30"]
    assert CliRunner().invoke(cli.app, [*args, "--out", str(whole)]).exit_code == 0
    result = CliRunner().invoke(cli.app, [*args, "--out", str(one), "--period-only", "2024-Q1"])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("2 file(s) written, 0 unchanged")
    assert f"open {one / 'periods' / '2024-Q1.html'}" in result.stderr
    assert sorted(p.relative_to(one).as_posix() for p in one.rglob("*") if p.is_file()) == [
        "periods/2024-Q1.html",
        "periods/2024-Q1.md",
    ]
    for name in ("2024-Q1.html", "2024-Q1.md"):
        assert (one / "periods" / name).read_bytes() == (whole / "periods" / name).read_bytes()
    refused = CliRunner().invoke(cli.app, [*args, "--out", str(one), "--period-only", "2030-Q1"])
    assert refused.exit_code == 7
    assert refused.stderr.startswith("error: --period-only 2030-Q1 is not among the site's periods")
