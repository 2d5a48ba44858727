"""What ``pip install`` gets: every imported package declared, every package of ours listed.

A third-party import that is not in ``[project].dependencies`` works on a developer's
machine (something else pulled it in) and fails on a clean one; a subpackage missing from
``[tool.setuptools].packages`` works in the repository and is missing from the wheel.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions, version
from pathlib import Path

from typer.testing import CliRunner

from cli import app

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
OURS = {"events", "ledger", "reports", "cli"}
INSTALLED = ("events", "ledger", "reports")
#: Modules loaded only for what an optional extra serves, which may import its packages:
#: ``ledger.postgres`` is imported only for a ``postgresql`` URL, which needs the extra.
EXTRA_OF = {"ledger/postgres.py": "postgres"}


def normalized(name: str) -> str:
    """A distribution name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    return normalized(re.split(r"[\s\[<>=!~;]", requirement.strip(), maxsplit=1)[0])


def shipped_sources() -> list[Path]:
    files = [ROOT / "cli.py"]
    for package in INSTALLED:
        files += sorted((ROOT / package).rglob("*.py"))
    return files


def imported_top_level_names(path: Path) -> set[str]:
    """Every absolute import in the file, also those inside functions (imported lazily)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_every_imported_third_party_package_is_a_declared_dependency():
    declared = {requirement_name(r) for r in PYPROJECT["project"]["dependencies"]}
    extras = PYPROJECT["project"]["optional-dependencies"]
    distributions = packages_distributions()
    missing = {}
    for path in shipped_sources():
        extra = EXTRA_OF.get(path.relative_to(ROOT).as_posix())
        allowed = declared | {requirement_name(r) for r in extras[extra]} if extra else declared
        for name in imported_top_level_names(path) - OURS - set(sys.stdlib_module_names):
            provided_by = {normalized(d) for d in distributions.get(name, [])}
            assert provided_by, f"{path.relative_to(ROOT)} imports {name}, which is not installed"
            if not provided_by & allowed:
                missing.setdefault(name, []).append(str(path.relative_to(ROOT)))
    assert missing == {}, f"imported but not in [project].dependencies: {missing}"


def test_the_check_sees_a_lazy_import_of_an_undeclared_package(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from rich.table import Table\n    import yaml, os.path\n")
    assert imported_top_level_names(sample) == {"rich", "yaml", "os"}
    assert requirement_name("psycopg[binary]>=3.1") == "psycopg"
    assert requirement_name("APScheduler >=3.10,<4") == "apscheduler"


def test_every_package_of_ours_is_in_the_wheel_and_nothing_else():
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for package in INSTALLED
        for init in (ROOT / package).rglob("__init__.py")
    }
    assert on_disk - listed == set(), "packages missing from the wheel"
    for name in listed:  # the others are folders of data (templates, the dataset)
        assert (ROOT / name.replace(".", "/")).is_dir(), name
    assert PYPROJECT["tool"]["setuptools"]["py-modules"] == ["cli"]
    assert not any(name.split(".")[0] in {"tools", "tests", "benchmarks"} for name in listed)


def test_version_comes_from_the_installed_metadata(tmp_path):
    ledger = tmp_path / "ledger.db"
    result = CliRunner().invoke(app, ["--db", str(ledger), "--version", "init"])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"reform-ledger {PYPROJECT['project']['version']}\n"
    assert version("reform-ledger") == PYPROJECT["project"]["version"]
    assert not ledger.exists()  # eager: the command after it never ran
