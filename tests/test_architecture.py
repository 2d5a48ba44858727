"""The layout tells the architecture: who may import whom, and what each package exports."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: package -> packages of ours it may import
ALLOWED = {
    "events": {"events"},
    "ledger": {"events", "ledger"},
    "reports": {"events", "ledger", "reports"},
}
OURS = {"events", "ledger", "reports", "cli", "tests"}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots & OURS


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_layers_import_only_downwards(package):
    for path in sorted((ROOT / package).rglob("*.py")):
        wrong = imported_roots(path) - ALLOWED[package]
        assert not wrong, f"{path.relative_to(ROOT)} imports {sorted(wrong)}"


def test_nothing_imports_cli():
    for path in sorted(ROOT.rglob("*.py")):
        if ".venv" in path.parts or path.name == "cli.py" or "tests" in path.parts:
            continue
        assert "cli" not in imported_roots(path), path


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_public_api_is_a_sorted_list_of_real_names(package):
    module = importlib.import_module(package)
    names = module.__all__
    # isort-style order: CONSTANTS, then Classes, then functions
    assert names == sorted(names, key=lambda n: (not n.isupper(), n[:1].islower(), n))
    for name in names:
        assert hasattr(module, name), f"{package}.__all__ names missing {name}"


def test_every_command_has_help_ending_with_an_example():
    from typer.main import get_command

    import cli

    group = get_command(cli.app)
    stack = [("", group)]
    seen = 0
    while stack:
        prefix, command = stack.pop()
        for name, sub in getattr(command, "commands", {}).items():
            if getattr(sub, "commands", None):
                stack.append((f"{prefix}{name} ", sub))
                continue
            text = (sub.help or "").strip()
            assert text, f"{prefix}{name} has no help"
            last = text.split("\n\n")[-1]
            assert last.startswith("Example: reform-ledger "), f"{prefix}{name}: end with Example:"
            seen += 1
    assert seen >= 12
    assert (group.help or "").split("\n\n")[-1].startswith("Example: reform-ledger ")


#: The one module that decides what a cut (as of, known at) shows.
READ_MODEL = Path("ledger/projections/view.py")
#: Write-side invariants, not visibility: transaction time never runs backwards.
TRANSACTION_ORDER = {Path("ledger/store.py"), Path("ledger/verify.py")}
TRANSACTION_NAMES = {"recorded_at", "known_at"}
SPAN_NAMES = {"effective", "effective_end", "date_bounds", "iso_bounds", "last_effective"}
ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)


def _our_modules() -> list[Path]:
    paths = [ROOT / "cli.py"]
    for package in ALLOWED:
        paths += sorted((ROOT / package).rglob("*.py"))
    return paths


def _names_in(node: ast.AST) -> set[str]:
    found = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            found.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            found.add(sub.attr)
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            found.add(sub.value)
    return found


def _ordering_comparisons(path: Path) -> list[tuple[int, set[str]]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.lineno, _names_in(node))
        for node in ast.walk(tree)
        if isinstance(node, ast.Compare) and any(isinstance(op, ORDERING) for op in node.ops)
    ]


def test_only_the_read_model_compares_transaction_times():
    """Visibility by known-at is decided in one place (ledger/projections/view.py)."""
    wrong = []
    for path in _our_modules():
        relative = path.relative_to(ROOT)
        if relative == READ_MODEL or relative in TRANSACTION_ORDER:
            continue
        for line, names in _ordering_comparisons(path):
            if names & TRANSACTION_NAMES:
                wrong.append(f"{relative}:{line}")
    assert not wrong, f"compare recorded_at/known_at outside the read model: {wrong}"


def test_only_the_projections_compare_effective_spans():
    """What has happened by a date is the read model's call; the status rules (inside
    ledger/projections) compare the dates of events they were given, nobody else does."""
    wrong = []
    for path in _our_modules():
        relative = path.relative_to(ROOT)
        if relative.parts[:2] == ("ledger", "projections"):
            continue
        for line, names in _ordering_comparisons(path):
            if names & SPAN_NAMES:
                wrong.append(f"{relative}:{line}")
    assert not wrong, f"compare effective dates outside ledger/projections: {wrong}"


def test_the_architecture_checks_catch_a_comparison(tmp_path):
    """The two checks above see a comparison however it is spelled."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def f(r, cut, day):\n"
        "    return r.recorded_at <= cut.known_at or effective_end(r.effective) > day\n",
        encoding="utf-8",
    )
    found = [names for _, names in _ordering_comparisons(sample)]
    assert [bool(names & TRANSACTION_NAMES) for names in found] == [True, False]
    assert [bool(names & SPAN_NAMES) for names in found] == [False, True]


def test_no_private_name_is_imported_across_modules():
    wrong = []
    for path in _our_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module.split(".")[0] not in OURS:
                    continue
                for alias in node.names:
                    if alias.name.startswith("_"):
                        wrong.append(f"{path.relative_to(ROOT)}: {node.module}.{alias.name}")
    assert not wrong, wrong
