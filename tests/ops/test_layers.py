"""The layers of docs/architecture.md hold: the import-linter contracts in pyproject.toml
([tool.importlinter]) are kept by the package as it is, and broken by a module that imports
against them.

`make test` also runs `lint-imports` itself (Makefile `lint`); this test makes a plain pytest
run fail on a violation too, and proves the contracts can fail: a copy of the package with one
forbidden import added must break them, with the contract's own words.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    # PYTHONPATH first, so the package checked is the one at `root` whatever is installed.
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_package_keeps_every_import_contract() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _copy_with(tmp_path: Path, module: str, source: str) -> Path:
    copy = tmp_path / "copy"
    shutil.copytree(
        ROOT / "coproduce",
        copy / "coproduce",
        ignore=shutil.ignore_patterns("static", "templates", "fixtures", "__pycache__", "*.pyc"),
    )
    (copy / "coproduce" / Path(*module.split(".")[1:])).with_suffix(".py").write_text(source)
    return copy


def test_a_base_app_importing_a_domain_app_breaks_the_contracts(tmp_path: Path) -> None:
    copy = _copy_with(
        tmp_path, "coproduce.registry.probe", "from coproduce.events import models  # noqa\n"
    )
    result = _lint(copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "coproduce.registry is not allowed to import coproduce.events" in result.stdout
    assert "The base apps import no domain app BROKEN" in result.stdout


def test_comms_importing_events_is_a_cycle_the_layers_refuse(tmp_path: Path) -> None:
    copy = _copy_with(
        tmp_path, "coproduce.comms.probe", "from coproduce.events import dates  # noqa\n"
    )
    result = _lint(copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "coproduce.comms is not allowed to import coproduce.events" in result.stdout


def test_importing_the_api_breaks_the_contracts(tmp_path: Path) -> None:
    copy = _copy_with(
        tmp_path, "coproduce.community.probe", "from coproduce.api import schemas  # noqa\n"
    )
    result = _lint(copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Nothing imports the API but the root URLconf BROKEN" in result.stdout


def test_an_app_missing_from_the_layers_breaks_them(tmp_path: Path) -> None:
    """`exhaustive`: a new app must be given its place in the layers."""
    copy = _copy_with(tmp_path, "coproduce.newapp", "")
    result = _lint(copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "not listed as layers:\n\n- coproduce.newapp" in result.stdout
