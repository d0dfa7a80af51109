"""FOCUS rows checked by the FinOps Foundation's own validator (`focus-validator`, test-only).

Its 2.x releases check FOCUS 1.2 (the newest it knows offline) and need Python 3.12, so the fixture
builds a venv of its own with python3.12 once (kept in the user's cache folder between runs) and skips,
saying why, when that cannot be done (no python3.12, no package index).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from promptlab_tui.cli.main import main
from tests.cli.test_export_cli import history

VALIDATOR = "focus-validator==2.2.1"
# pyarrow 18+ needs NumPy 2, which the validator's pins keep out.
EXTRA = "pyarrow<18"
FOCUS_VERSION = "1.2"
# What holds for promptlab's charges, so the validator checks the rules that follow from them (it skips them otherwise).
CRITERIA = ("ACCOUNT_NAMING_SUPPORTED,PUBLIC_PRICE_LIST_SUPPORTED,USAGE_MEASUREMENT_SUPPORTED,UNIT_PRICING_SUPPORTED,"
            "SUB_ACCOUNT_SUPPORTED,TAGGING_SUPPORTED,RESOURCE_TYPE_ASSIGNMENT_SUPPORTED")


def _python312() -> str | None:
    found = shutil.which("python3.12")
    if found and subprocess.run([found, "--version"], capture_output=True).returncode == 0:
        return found
    for candidate in sorted(Path.home().glob(".pyenv/versions/3.12*/bin/python3.12"), reverse=True):
        return str(candidate)
    return None


@pytest.fixture(scope="session")
def focus_validator() -> Path:
    python = _python312()
    if python is None:
        pytest.skip("focus-validator 2.x needs Python 3.12, which is not installed here")
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "promptlab-test-focus-validator"
    venv = cache / re.sub(r"[^A-Za-z0-9.]+", "-", f"{VALIDATOR}-{EXTRA}")
    executable = venv / "bin" / "focus-validator"
    if not executable.exists():
        shutil.rmtree(venv, ignore_errors=True)
        made = subprocess.run([python, "-m", "venv", str(venv)], capture_output=True, text=True)
        install = made if made.returncode else subprocess.run(
            [str(venv / "bin" / "pip"), "install", "-q", VALIDATOR, EXTRA], capture_output=True, text=True,
            timeout=900)
        if install.returncode or not executable.exists():
            shutil.rmtree(venv, ignore_errors=True)
            pytest.skip(f"could not install {VALIDATOR} with {python}: {(install.stderr or '').strip()[-300:]}")
    return venv


def _validate(venv: Path, data: Path) -> tuple[str, set[str], set[str]]:
    package = subprocess.run([str(venv / "bin" / "python"), "-c",
                              "import focus_validator, os; print(os.path.dirname(focus_validator.__file__))"],
                             capture_output=True, text=True, check=True).stdout.strip()
    # It reads its currency list by a path relative to site-packages.
    proc = subprocess.run([str(venv / "bin" / "focus-validator"), "--data-file", str(data), "--validate-version",
                           FOCUS_VERSION, "--block-download", "--applicability-criteria", CRITERIA], capture_output=True, text=True,
                          cwd=str(Path(package).parent), timeout=600)
    out = proc.stdout + proc.stderr
    assert "Validation Results" in out, out[-2000:]
    failed = set(re.findall(r"^❌ (\S+): FAIL", out, re.M))
    passed = set(re.findall(r"^✅ (\S+): PASS", out, re.M))
    return out, failed, passed


def _or_alternatives(venv: Path, passed: set[str]) -> set[str]:
    """Rules that are one side of an OR the validator passed as a whole (e.g. 'InvoiceId MUST be null when not
    invoiced' / 'MUST NOT be null when invoiced': one of the two always fails, the rule itself holds)."""
    script = (
        "import json, glob, os, focus_validator\n"
        "path = glob.glob(os.path.join(os.path.dirname(focus_validator.__file__), 'rules', 'model-*.json'))[0]\n"
        "print(json.dumps(json.load(open(path))['ModelRules']))\n")
    rules = json.loads(subprocess.run([str(venv / "bin" / "python"), "-c", script], capture_output=True, text=True,
                                      check=True).stdout)
    alternatives = set()
    for rule_id, rule in rules.items():
        requirement = rule.get("ValidationCriteria", {}).get("Requirement", {})
        if rule_id in passed and requirement.get("CheckFunction") == "OR":
            alternatives |= {item.get("ModelRuleId") for item in requirement.get("Items", [])}
    return alternatives


@pytest.mark.slow
def test_focus_export_passes_the_finops_foundation_validator(tmp_path, capsys, focus_validator):
    history(tmp_path)
    target = tmp_path / "focus.csv"
    assert main(["export", "--format", "focus", "-o", str(target)]) == 0
    out, failed, passed = _validate(focus_validator, target)
    assert passed, out[-2000:]
    really_failed = failed - _or_alternatives(focus_validator, passed)
    assert not really_failed, out[-4000:]
    assert len(passed) > 200, out[-2000:]
    for rule in ("BilledCost-C-000-M", "ConsumedQuantity-C-000-C", "PricingUnit-C-000-M",
                 "ChargePeriodStart-C-000-M", "Tags-C-000-C", "SkuPriceDetails-C-000-C", "InvoiceId-C-003-C"):
        assert rule in passed, rule


@pytest.mark.slow
def test_the_validator_catches_a_broken_export(tmp_path, capsys, focus_validator):
    """The check above can fail: a FOCUS file with a cost that is not a number is refused."""
    history(tmp_path)
    target = tmp_path / "focus.csv"
    assert main(["export", "--format", "focus", "-o", str(target)]) == 0
    lines = target.read_text(encoding="utf-8").splitlines()
    broken = tmp_path / "broken.csv"
    broken.write_text("\n".join([lines[0], "free," + lines[1].split(",", 1)[1], *lines[2:]]) + "\n", encoding="utf-8")
    _, failed, passed = _validate(focus_validator, broken)
    assert any(rule.startswith("BilledCost") for rule in failed - _or_alternatives(focus_validator, passed))
