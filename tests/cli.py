"""The real ``kirok`` executable, run as a user runs it, for tests of whole commands.

Making a workspace costs seconds (migrations, reference data, its first index), so each test
process makes one with ``kirok init`` and every test that needs a fresh one gets a copy of it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

KIROK = [sys.executable, "-m", "kirok.cli"]


def kirok(*args, home: Path, check: bool = True, timeout: int = 600, **kw) -> subprocess.CompletedProcess:
    """Run ``kirok ARGS`` on the SQLite workspace at ``home``; a failure names the command and
    shows what it said."""
    env = {k: v for k, v in os.environ.items() if k != "KIROK_DATABASE_URL"} | {"KIROK_HOME": str(home)}
    result = subprocess.run([*KIROK, *args], env=env, capture_output=True, text=True, timeout=timeout, **kw)
    if check and result.returncode != 0:
        raise AssertionError(f"kirok {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def copy_workspace(template: Path, target: Path) -> Path:
    """A workspace of its own (database, blobs, keys) made by copying an initialised one."""
    shutil.copytree(template, target, dirs_exist_ok=True)
    return target
