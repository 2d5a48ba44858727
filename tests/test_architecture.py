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
