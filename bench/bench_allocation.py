"""Benchmark: our allocation engine against pabutools, whole pipeline against whole pipeline.

Run from the repository root (pabutools comes with the test dependencies):

    python -m bench.bench_allocation [--pabulib DIR] [--pabutools-add1-max-voters 3000]
                                     [--ours-add1-max-voters 100000] [--add1-timeout 300]
                                     [--synthetic-voters 100000] [--synthetic-projects 500]
                                     [--no-synthetic] [--only TEXT]

For every `.pb` file, each side parses the file and runs the rule (pabutools: `parse_pabulib` then the
rule; ours: `commons.budgeting.pabulib.load` then the rule); the outcomes are compared and the times
printed with their ratio (pabutools time / our time: above 1 means we are faster). pabutools' add1 is
only run up to `--pabutools-add1-max-voters` voters because it needs hours on the large files; ours is
then timed alone, and stopped after `--add1-timeout` seconds. Finally ours alone on a synthetic election
generated with a fixed seed (plain MES, then add1 with the same time limit).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from pabutools.election import Cardinality_Sat, Cost_Sat, parse_pabulib
from pabutools.rules import exhaustion_by_budget_increase, greedy_utilitarian_welfare, method_of_equal_shares

from commons.budgeting.pabulib import load
from commons.budgeting.rules import ApprovalElection, equal_shares, greedy

DEFAULT_PABULIB = Path(
    os.environ.get("COMMONS_PABULIB_DIR", Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "pabulib")
)

OURS: dict[str, Callable[[ApprovalElection], tuple[str, ...]]] = {
    "greedy": lambda e: greedy(e).selected,
    "mes": lambda e: equal_shares(e).selected,
    "mes-cardinality": lambda e: equal_shares(e, sat="cardinality").selected,
    "mes+add1": lambda e: equal_shares(e, completion="add1", helper_process=True).selected,
}
THEIRS: dict[str, Callable[[Any, Any], Any]] = {
    "greedy": lambda i, p: greedy_utilitarian_welfare(i, p, sat_class=Cost_Sat),
    "mes": lambda i, p: method_of_equal_shares(i, p, sat_class=Cost_Sat),
    "mes-cardinality": lambda i, p: method_of_equal_shares(i, p, sat_class=Cardinality_Sat),
    "mes+add1": lambda i, p: exhaustion_by_budget_increase(
        i, p, method_of_equal_shares, {"sat_class": Cost_Sat, "voter_budget_increment": 1}, exhaustive_stop=False
    ),
}


def _timed(compute: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = compute()
    return result, time.perf_counter() - start


def _stop(signum: int, frame: Any) -> None:
    raise TimeoutError


def _within(seconds: int, compute: Callable[[], Any]) -> Any:
    """`compute()`, or TimeoutError once it has run for `seconds` (0: no limit)."""
    signal.signal(signal.SIGALRM, _stop)
    signal.alarm(seconds)
    try:
        return compute()
    finally:
        signal.alarm(0)


def ours(path: Path, rule: str) -> tuple[list[str], float]:
    """Our pipeline: parse, convert, allocate."""
    selected, seconds = _timed(lambda: OURS[rule](load(path).approval_election()))
    return list(selected), seconds


def theirs(path: Path, rule: str) -> tuple[list[str], float]:
    """pabutools' pipeline: parse, allocate."""

    def run() -> list[str]:
        instance, profile = parse_pabulib(str(path))
        return [project.name for project in THEIRS[rule](instance, profile)]

    return _timed(run)


def synthetic_election(voters: int, projects: int, seed: int = 2024) -> ApprovalElection:
    """A large random election, always the same for a given seed: project popularity follows a
    power law, ballots approve 1 to 10 projects, the budget is a fifth of the total cost."""
    rng = random.Random(seed)
    ids = [f"P{number:03d}" for number in range(projects)]
    costs = {project: rng.randrange(5_000, 500_000, 100) for project in ids}
    popularity = [1 / (rank + 1) ** 0.8 for rank in range(projects)]
    ballots = [set(rng.choices(ids, weights=popularity, k=rng.randint(1, 10))) for _ in range(voters)]
    return ApprovalElection(costs=costs, ballots=ballots, budget=sum(costs.values()) // 5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pabulib", type=Path, default=DEFAULT_PABULIB)
    parser.add_argument("--pabutools-add1-max-voters", type=int, default=3_000)
    parser.add_argument("--ours-add1-max-voters", type=int, default=100_000)
    parser.add_argument("--add1-timeout", type=int, default=300, help="stop our add1 after so many seconds")
    parser.add_argument("--synthetic-voters", type=int, default=100_000)
    parser.add_argument("--synthetic-projects", type=int, default=500)
    parser.add_argument("--no-synthetic", action="store_true")
    parser.add_argument("--only", default="", help="only the .pb files whose name contains this text")
    args = parser.parse_args()

    print(f"{'instance':<44} {'voters':>7} {'rule':<16} {'ours s':>8} {'pabutools s':>12} {'ratio':>8}  same")
    for path in sorted(args.pabulib.glob(f"*{args.only}*.pb" if args.only else "*.pb")):
        voters = len(load(path).voters)
        for rule in OURS:
            if rule == "mes+add1" and voters > args.ours_add1_max_voters:
                print(f"{path.stem[:44]:<44} {voters:>7} {rule:<16} {'skipped (--ours-add1-max-voters)':>30}")
                continue
            try:
                selected, our_seconds = _within(
                    args.add1_timeout if rule == "mes+add1" else 0, partial(ours, path, rule)
                )
            except TimeoutError:
                print(f"{path.stem[:44]:<44} {voters:>7} {rule:<16} {'> ' + str(args.add1_timeout):>8}  (ours stopped)")
                continue
            if rule == "mes+add1" and voters > args.pabutools_add1_max_voters:
                print(
                    f"{path.stem[:44]:<44} {voters:>7} {rule:<16} {our_seconds:>8.3f} "
                    f"{'not run':>12} {'':>8}  (pabutools skipped: > --pabutools-add1-max-voters)"
                )
                continue
            expected, their_seconds = theirs(path, rule)
            same = "yes" if selected == expected else "NO"
            print(
                f"{path.stem[:44]:<44} {voters:>7} {rule:<16} {our_seconds:>8.3f} {their_seconds:>12.3f} "
                f"{their_seconds / our_seconds:>7.1f}x  {same}",
                flush=True,
            )
    if not args.no_synthetic:
        election = synthetic_election(args.synthetic_voters, args.synthetic_projects)
        label = f"synthetic {args.synthetic_voters} x {args.synthetic_projects}"
        for rule in ("mes", "mes+add1"):
            try:
                funded, seconds = _within(
                    args.add1_timeout if rule == "mes+add1" else 0, partial(_timed, partial(OURS[rule], election))
                )
            except TimeoutError:
                print(
                    f"{label:<44} {args.synthetic_voters:>7} {rule:<16} {'> ' + str(args.add1_timeout):>8}  (stopped)"
                )
                continue
            summary = f"(ours alone, {len(funded)} funded)"
            print(f"{label:<44} {args.synthetic_voters:>7} {rule:<16} {seconds:>8.3f}  {summary}", flush=True)


if __name__ == "__main__":
    main()
