"""The kept fuzz corpus (tests/fuzz_corpus): every hostile file gives its exact lines.

Refused files run against one ledger per engine holding ``sources.yaml`` (the registered
source every case cites) and ``base.yaml``; each must exit 3, print exactly its
``.expected`` text on stderr, and leave the digest as it was. Accepted files (byte-order
marks, empty files, joiners, long fields) go into a ledger holding only ``sources.yaml``,
print their ``.expected`` text, and add nothing when imported again.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from tests.conftest import new_pg_database

CORPUS = Path(__file__).parent / "fuzz_corpus"
SUFFIXES = {".yaml", ".jsonl"}


def cases(folder: str) -> list[Path]:
    return sorted(p for p in (CORPUS / folder).iterdir() if p.suffix in SUFFIXES)


def expected(case: Path) -> str:
    return case.with_name(case.name + ".expected").read_text(encoding="utf-8")


def run(url: str, *args: str):
    result = CliRunner().invoke(app, ["--db", url, *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.stdout + result.stderr
    return result


def digest(url: str) -> str:
    result = run(url, "digest")
    assert result.exit_code == 0, result.output
    return result.stdout


def new_url(engine: str, folder: Path, request: pytest.FixtureRequest) -> str:
    if engine == "sqlite":
        return f"sqlite:///{folder / 'ledger.db'}"
    return new_pg_database(request.getfixturevalue("pg_server"))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def base_ledger(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    url = new_url(request.param, tmp_path_factory.mktemp("corpus"), request)
    assert run(url, "init").exit_code == 0
    for name in ("sources.yaml", "base.yaml"):
        result = run(url, "import", str(CORPUS / name))
        assert result.exit_code == 0, result.output
    return url


def test_the_corpus_has_an_expectation_for_every_case() -> None:
    files = [*(CORPUS / "refused").iterdir(), *(CORPUS / "accepted").iterdir()]
    inputs = {p for p in files if p.suffix in SUFFIXES}
    outputs = {p for p in files if p.suffix == ".expected"}
    assert {p.with_name(p.name + ".expected") for p in inputs} == outputs
    assert len(cases("refused")) >= 50 and len(cases("accepted")) >= 10


@pytest.mark.parametrize("case", cases("refused"), ids=lambda p: p.name)
def test_a_hostile_file_is_refused_with_its_exact_lines(
    base_ledger: str, case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(case.parent)  # the lines name the file as given: NAME, not a path
    before = digest(base_ledger)
    result = run(base_ledger, "import", case.name)
    assert (result.exit_code, result.stdout) == (3, "")
    assert result.stderr == expected(case)
    assert all(line.startswith("error: ") for line in result.stderr.splitlines())
    assert digest(base_ledger) == before


@pytest.mark.parametrize("case", cases("accepted"), ids=lambda p: p.name)
def test_a_careful_users_file_is_accepted(
    ledger_url: str,
    case: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert run(ledger_url, "init").exit_code == 0
    registered = run(ledger_url, "import", str(CORPUS / "sources.yaml"))
    assert registered.exit_code == 0, registered.output
    monkeypatch.chdir(case.parent)
    result = run(ledger_url, "import", case.name)
    assert result.exit_code == 0, result.output
    assert result.stderr == expected(case)
    after = digest(ledger_url)
    again = run(ledger_url, "import", case.name)
    assert again.exit_code == 0 and digest(ledger_url) == after
