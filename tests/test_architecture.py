"""The architecture is a test: the import contracts hold, and they catch an upward import.

The contracts live in .importlinter (the rows of docs/architecture.md); CI runs `lint-imports`
too. These tests show the contracts are not vacuous: a copy of the code with one upward import
injected must break them.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("feedback", "surveys", "messaging", "analysis", "demo", "devtools")
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def copy_of_the_code(tmp_path: Path) -> Path:
    for name in PACKAGES:
        shutil.copytree(ROOT / name, tmp_path / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.tsv"))
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    return tmp_path


def test_the_code_keeps_its_import_contracts():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("module_file", "upward_import"), [
    # the response store reaching up into a channel
    ("feedback/responses/models.py", "import messaging.models"),
    # a channel importing the other channel
    ("messaging/models.py", "import analysis.models"),
    ("analysis/models.py", "import messaging.models"),
    # surveys (row 1) importing the response store (row 2)
    ("surveys/models.py", "import feedback.responses.models"),
    # the lowest row importing the response store
    ("feedback/core/extensions.py", "import feedback.responses.models"),
    # anything but the factory importing the factory
    ("surveys/models.py", "import feedback.app"),
    # the running service reaching into the demo data or the benchmark endpoints
    ("messaging/inbound/setup.py", "import devtools.benchmark_endpoints"),
    ("surveys/setup.py", "import demo.youth_survey"),
])
def test_an_upward_import_breaks_a_contract(tmp_path, module_file, upward_import):
    code = copy_of_the_code(tmp_path)
    assert lint_imports(code).returncode == 0  # the copy is as good as the original
    target = code / module_file
    target.write_text(target.read_text(encoding="utf-8") + f"\n{upward_import}  # injected\n",
                      encoding="utf-8")
    result = lint_imports(code)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout


def _cycles(graph) -> list[list[str]]:
    """Strongly connected groups of modules (Tarjan), ignoring single modules."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in graph.find_modules_directly_imported_by(module):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        for module in sorted(graph.modules):
            if module not in index:
                visit(module)
    finally:
        sys.setrecursionlimit(limit)
    return found


def test_no_import_circle_even_through_a_function_level_import():
    """A circle dodged by importing inside a function is still a circle: news goes by signals."""
    graph = grimp.build_graph(*PACKAGES)
    assert _cycles(graph) == []


def test_the_circle_check_sees_a_function_level_import(tmp_path, monkeypatch):
    code = copy_of_the_code(tmp_path)
    target = code / "feedback/core/extensions.py"
    target.write_text(target.read_text(encoding="utf-8")
                      + "\n\ndef _dodge():\n    import feedback.app  # noqa: F401\n",
                      encoding="utf-8")
    monkeypatch.syspath_prepend(str(code))
    for name in list(sys.modules):
        if name.split(".")[0] in PACKAGES:
            monkeypatch.delitem(sys.modules, name)
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    assert any("feedback.core.extensions" in group for group in _cycles(graph))
