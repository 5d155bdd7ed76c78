"""Where the real pabulib instances and pabutools' reference outcomes are found."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

REFERENCE = Path(__file__).parent / "reference"
PABULIB = Path(os.environ.get("COMMONS_PABULIB_DIR", Path(__file__).parents[3] / ".." / "shared" / "data" / "pabulib"))
INSTANCES = sorted(PABULIB.glob("*.pb"))
LIVE_ORACLE_MAX_VOTERS = 20_000
"""Above this, pabutools takes tens of seconds per rule: the stored reference is used instead."""


def instance_params() -> list[Any]:
    """One pytest parameter per pabulib file (a single skipped one when the folder is missing)."""
    if not INSTANCES:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no .pb files in {PABULIB}"))]
    return [pytest.param(path, id=path.stem) for path in INSTANCES]


def reference(path: Path) -> dict[str, Any]:
    """pabutools' stored outcomes for an instance (see reference/generate.py)."""
    target = REFERENCE / f"{path.stem}.json"
    if not target.exists():
        pytest.fail(f"no reference for {path.name}: run tests/unit/budgeting/reference/generate.py")
    result: dict[str, Any] = json.loads(target.read_text(encoding="utf-8"))
    return result
