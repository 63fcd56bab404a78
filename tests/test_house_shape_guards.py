"""`make lint` guards the house shape: the project's own import-linter contracts, run on a small
tree of the same package names, refuse domain code that does I/O, a service importing another and
an import cycle, and accept the tree without them."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _contracts() -> dict[str, object]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    importlinter: dict[str, object] = config["tool"]["importlinter"]
    return importlinter


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return '"' + str(value) + '"'


def _every_module_named(contracts: dict[str, object]) -> set[str]:
    named: set[str] = set()
    for contract in contracts["contracts"]:  # type: ignore[attr-defined]
        for key in ("source_modules", "forbidden_modules", "modules", "ancestors"):
            named.update(contract.get(key, []))
    return named


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    """A tree with every package the contracts name (each module empty) plus `files`, and a
    pyproject.toml holding the project's import-linter settings and contracts as they are."""
    contracts = _contracts()
    for module in {*contracts["root_packages"], *_every_module_named(contracts)}:  # type: ignore[misc]
        if module.split(".")[0] not in contracts["root_packages"]:  # type: ignore[operator]
            continue  # an external package (asyncpg...): the real one is installed
        parts = module.split(".")
        for depth in range(1, len(parts) + 1):
            package = tmp_path.joinpath(*parts[:depth])
            package.mkdir(exist_ok=True)
            (package / "__init__.py").touch()
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        (path.parent / "__init__.py").touch()
        path.write_text(text)
    lines = ["[tool.importlinter]"]
    lines += [f"{k} = {_toml_value(v)}" for k, v in contracts.items() if k != "contracts"]
    for contract in contracts["contracts"]:  # type: ignore[attr-defined]
        lines += ["", "[[tool.importlinter.contracts]]"]
        lines += [f"{k} = {_toml_value(v)}" for k, v in contract.items()]
    (tmp_path / "pyproject.toml").write_text("\n".join(lines) + "\n")
    return tmp_path


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": str(LINT_IMPORTS.parent)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_tree_in_the_house_shape_passes(tmp_path: Path) -> None:
    tree = _tree(
        tmp_path,
        {
            "inventory/domain/allocation.py": "from reloop_shared import errors\nimport decimal\n",
            "inventory/service_layer/sales.py": "from inventory.domain import allocation\n",
            "inventory/adapters/repository.py": "import asyncpg\nfrom inventory.domain import allocation\n",
        },
    )
    result = _lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("files", "broken"),
    [
        (
            {"inventory/domain/allocation.py": "import asyncpg\n"},
            "Domain code is plain Python",
        ),
        (
            {"orders/domain/model.py": "from reloop_shared.db import pool\n"},
            "Domain code is plain Python",
        ),
        (
            {"crm/service_layer/merging.py": "import orders.domain\n"},
            "Services never import each other",
        ),
        (
            {
                "store_sync/domain/events.py": "from store_sync.domain import collection\n",
                "store_sync/domain/collection.py": "from store_sync.domain import events\n",
            },
            "No import cycles",
        ),
    ],
    ids=["domain-does-io", "domain-opens-the-database", "service-imports-another", "import-cycle"],
)
def test_the_lint_refuses_what_breaks_the_shape(tmp_path: Path, files: dict[str, str], broken: str) -> None:
    result = _lint(_tree(tmp_path, files))
    assert result.returncode != 0
    broken_line = next(line for line in result.stdout.splitlines() if line.startswith(broken))
    assert broken_line.endswith("BROKEN")
