"""``python cli.py --help`` lists every subcommand (a literal ``%`` in a subcommand's help once made
argparse raise ValueError for the whole top-level help), and each subcommand's own help prints."""
from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import commands

REPO = Path(__file__).resolve().parents[2]
SUBCOMMANDS = sorted(importlib.import_module(f"commands.{m.name}").NAME
                     for m in pkgutil.iter_modules(commands.__path__) if not m.name.startswith("_"))


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "cli.py"), *args], capture_output=True, text=True,
                          timeout=120, cwd=REPO)


def test_top_level_help_lists_every_subcommand():
    result = run_cli("--help")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    missing = [name for name in SUBCOMMANDS if name not in result.stdout]
    assert not missing


def test_help_keeps_a_percent_sign_of_a_subcommand():
    from commands import chainage

    assert "%" in chainage.HELP             # the case that broke the list
    assert "% bàn giao" in " ".join(run_cli("--help").stdout.split())


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_each_subcommand_help(name):
    result = run_cli(name, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage:")
