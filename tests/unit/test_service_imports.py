"""The services stand without the offline analysis: no module under services/ imports OR-Tools, typer,
rich or the analysis package, so a service's image installs none of them (pyproject's ``analysis``
extra). The one exception is named below, with its reason.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SERVICES = REPO / "services"
FORBIDDEN = frozenset({"analysis", "ortools", "rich", "typer"})
# A service's own command line, run where the service runs: typer stays a dependency of the services.
ALLOWED = {Path("services/web/invite.py"): frozenset({"typer"})}


def imported_packages(path: Path) -> set[str]:
    """The top-level packages ``path`` imports, anywhere in it (in a function too); relative imports
    stay inside services/ and are left out."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.partition(".")[0])
    return found


def test_no_service_module_imports_the_analysis_or_its_libraries() -> None:
    modules = sorted(SERVICES.rglob("*.py"))
    assert len(modules) > 50
    offending = {}
    for path in modules:
        relative = path.relative_to(REPO)
        wrong = imported_packages(path) & (FORBIDDEN - ALLOWED.get(relative, frozenset()))
        if wrong:
            offending[str(relative)] = sorted(wrong)
    assert offending == {}


def test_the_check_sees_imports_inside_functions(tmp_path: Path) -> None:
    module = tmp_path / "late.py"
    module.write_text(
        "import json\n\ndef plan() -> None:\n    from ortools.sat.python import cp_model\n"
        "    import analysis.planner\n    from . import sibling\n",
        encoding="utf-8",
    )
    assert imported_packages(module) == {"json", "ortools", "analysis"}


def test_loading_every_service_module_loads_neither_or_tools_nor_the_analysis() -> None:
    # Catches an indirect import too (a service importing a module of tools/ that imports analysis/).
    script = (
        "import importlib, pkgutil, sys\n"
        "import services\n"
        "for info in pkgutil.walk_packages(services.__path__, 'services.'):\n"
        "    if not info.name.endswith('__main__'):\n"
        "        importlib.import_module(info.name)\n"
        "print(sorted({m.partition('.')[0] for m in sys.modules} & {'analysis', 'ortools'}))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True, timeout=120
    )
    assert loaded.stdout.strip() == "[]"
