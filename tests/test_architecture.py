"""The dependency rules and module sizes of docs/ARCHITECTURE.md, checked on the real tree."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ["core", "audit", "accounts", "contracts", "notices", "appeals", "payments", "cases", "portal"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
# Message catalogues and default notice texts are data written as Python.
SIZE_EXEMPT = {"notices/default_texts.py"}
MAX_MODULE_LINES = 600


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def test_import_contracts_hold():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _copy_sources(target: Path) -> None:
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    for app in APPS:
        shutil.copytree(ROOT / app, target / app, ignore=shutil.ignore_patterns("templates", "static", "__pycache__"))


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("contracts/probe.py", "import portal.urls\n", "contracts is not allowed to import portal"),
        ("core/probe.py", "from contracts import models\n", "core is not allowed to import contracts"),
        ("notices/probe.py", "import appeals.services\n", "notices is not allowed to import appeals"),
        ("cases/probe.py", "from appeals import views\n", "views of appeals BROKEN"),
    ],
)
def test_import_contracts_catch_an_upward_import(tmp_path, module, line, broken):
    _copy_sources(tmp_path)
    (tmp_path / module).write_text(line)
    result = _lint_imports(tmp_path)
    assert result.returncode != 0
    assert broken in result.stdout


def test_no_application_module_over_600_lines():
    too_long = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or relative in SIZE_EXEMPT:
                continue
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > MAX_MODULE_LINES:
                too_long.append(f"{relative}: {lines}")
    assert not too_long, too_long
