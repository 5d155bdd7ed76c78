"""Compute the reference outcomes of the pabulib instances with pabutools (the oracle) and store them.

The tests compare our rules with these files where running pabutools live would be too slow (Łódź,
the "add1" completion). Run from the repository root, with the test dependencies installed:

    python tests/unit/budgeting/reference/generate.py [--add1-max-voters 20000] [--only Poland_Lodz_2022]

Each instance gets `<file stem>.json`: the selected project ids, in pabutools' order, for greedy
(cost and cardinality satisfaction), MES (cost and cardinality), MES + add1 (cost) and MES + add1 then
greedy ("add1u"), plus pabutools' running times. add1 is skipped (left out of the file) above
`--add1-max-voters` voters, because pabutools needs hours there. An existing add1 result is kept when it
is skipped, so a long run done once is not lost.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pabutools.election import Cardinality_Sat, Cost_Sat, parse_pabulib
from pabutools.rules import (
    exhaustion_by_budget_increase,
    greedy_utilitarian_welfare,
    method_of_equal_shares,
)

HERE = Path(__file__).resolve().parent
PABULIB = Path(os.environ.get("COMMONS_PABULIB_DIR", HERE.parents[4] / "shared" / "data" / "pabulib"))


def _timed(compute: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    outcome = compute()
    return outcome, round(time.perf_counter() - start, 3)


def reference(path: Path, add1_max_voters: int, previous: dict[str, Any]) -> dict[str, Any]:
    """pabutools' outcomes for one instance."""
    (instance, profile), parse_seconds = _timed(lambda: parse_pabulib(str(path)))
    result: dict[str, Any] = {"file": path.name, "voters": len(profile), "seconds": {"parse": parse_seconds}}
    rules: dict[str, Callable[[], Any]] = {
        "greedy_cost": lambda: greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat),
        "greedy_cardinality": lambda: greedy_utilitarian_welfare(instance, profile, sat_class=Cardinality_Sat),
        "mes_cost": lambda: method_of_equal_shares(instance, profile, sat_class=Cost_Sat),
        "mes_cardinality": lambda: method_of_equal_shares(instance, profile, sat_class=Cardinality_Sat),
    }
    for name, compute in rules.items():
        outcome, seconds = _timed(compute)
        result[name] = [project.name for project in outcome]
        result["seconds"][name] = seconds
    if len(profile) <= add1_max_voters:
        add1, seconds = _timed(
            lambda: exhaustion_by_budget_increase(
                instance,
                profile,
                method_of_equal_shares,
                {"sat_class": Cost_Sat, "voter_budget_increment": 1},
                exhaustive_stop=False,
            )
        )
        result["mes_cost_add1"] = [project.name for project in add1]
        result["seconds"]["mes_cost_add1"] = seconds
        add1u = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat, initial_budget_allocation=add1)
        result["mes_cost_add1u"] = [project.name for project in add1u]
    else:
        for key in ("mes_cost_add1", "mes_cost_add1u"):
            if key in previous:
                result[key] = previous[key]
        if "mes_cost_add1" in previous.get("seconds", {}):
            result["seconds"]["mes_cost_add1"] = previous["seconds"]["mes_cost_add1"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--add1-max-voters", type=int, default=20_000)
    parser.add_argument("--only", help="the stem of one instance to (re)compute")
    args = parser.parse_args()
    for path in sorted(PABULIB.glob("*.pb")):
        if args.only and path.stem != args.only:
            continue
        target = HERE / f"{path.stem}.json"
        previous = json.loads(target.read_text(encoding="utf-8")) if target.exists() else {}
        result = reference(path, args.add1_max_voters, previous)
        target.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(path.name, result["seconds"], flush=True)


if __name__ == "__main__":
    main()
