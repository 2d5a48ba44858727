"""``reform-ledger report``: one period, a series with its index, and clear errors."""

from __future__ import annotations

from typer.testing import CliRunner

from cli import app
from ledger import open_store
from tests.reports.conftest import build_ledger


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def test_report_writes_one_period_in_both_formats(tmp_path):
    db = tmp_path / "ledger.db"
    build_ledger(open_store(f"sqlite:///{db}", create=True))
    result = run("--db", str(db), "report", "--period", "2023-Q4", "--out", str(tmp_path / "o"))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["2023-Q4.html", "2023-Q4.md"]


def test_report_from_to_writes_a_series_and_its_index(tmp_path):
    db = tmp_path / "ledger.db"
    build_ledger(open_store(f"sqlite:///{db}", create=True))
    out = tmp_path / "o"
    result = run(
        "--db",
        str(db),
        "report",
        "--from",
        "2023-11",
        "--to",
        "2024-01",
        "--format",
        "md",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "2023-11.md",
        "2023-12.md",
        "2024-01.md",
        "index.md",
    ]


def test_report_errors_are_one_line_with_exit_code_7(tmp_path):
    db = tmp_path / "ledger.db"
    open_store(f"sqlite:///{db}", create=True)
    cases = {
        ("--period", "2023-Q5"): "error: period '2023-Q5' is not a year, quarter or month "
        "(use 2023, 2023-Q4 or 2023-11)",
        ("--from", "2023-Q1"): "error: give either --period, or both --from and --to",
        ("--period", "2023-Q4", "--format", "pdf"): "error: unknown report format pdf "
        "(use md, html or md,html)",
        ("--period", "2023-Q4", "--as-of", "2024-01-01"): "error: --as-of 2024-01-01 is "
        "outside 2023-Q4 (2023-10-01 to 2023-12-31)",
    }
    for args, message in cases.items():
        result = run("--db", str(db), "report", *args, "--out", str(tmp_path / "o"))
        assert (result.exit_code, result.output.strip()) == (7, message)
    assert not (tmp_path / "o").exists()
