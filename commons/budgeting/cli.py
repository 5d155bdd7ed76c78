"""`commons allocate`: compute the outcome of a pabulib election with one of our rules.

    commons allocate FILE.pb --rule {greedy,equal-shares} [--sat {cost,cardinality}]
                             [--completion {none,add1,add1u}] [--format {json,text}]

JSON output: {"selected": [project ids as written in the file, in funding order], "cost": total cost,
"budget": budget}. A missing or malformed file is reported on stderr (naming the line) with exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from commons.budgeting.pabulib import PabulibError, load
from commons.budgeting.rules import Allocation, MoneyFormat, equal_shares, greedy

EXIT_INVALID_INPUT = 2


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `allocate` subcommand to an argparse subparsers object (from `add_subparsers()`); the
    parsed arguments carry `func`, which runs the command and returns the exit code."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "allocate",
        help="compute the outcome of a pabulib (.pb) election",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument("file", help="a pabulib .pb file")
    parser.add_argument("--rule", choices=["greedy", "equal-shares"], required=True)
    parser.add_argument("--sat", choices=["cost", "cardinality"], default="cost", help="satisfaction")
    parser.add_argument(
        "--completion",
        choices=["none", "add1", "add1u"],
        default="none",
        help="equal shares only: how to use the money plain MES leaves",
    )
    parser.add_argument("--format", choices=["json", "text"], default="json")
    parser.set_defaults(func=allocate)
    return parser


def allocate(args: argparse.Namespace) -> int:
    """Run the `allocate` command; returns the exit code."""
    try:
        instance = load(args.file)
    except OSError as error:
        print(f"error: cannot read {args.file}: {error.strerror or error}", file=sys.stderr)
        return EXIT_INVALID_INPUT
    except PabulibError as error:
        print(f"error: {args.file}: {error}", file=sys.stderr)
        return EXIT_INVALID_INPUT
    if args.rule == "greedy" and args.completion != "none":
        print("error: --completion only applies to --rule equal-shares", file=sys.stderr)
        return EXIT_INVALID_INPUT
    money = MoneyFormat(currency=instance.meta.get("currency", "€"))
    election = instance.approval_election()
    allocation = (
        greedy(election, sat=args.sat, money=money)
        if args.rule == "greedy"
        else equal_shares(election, sat=args.sat, completion=args.completion, money=money, helper_process=True)
    )
    print(_as_json(allocation) if args.format == "json" else _as_text(allocation, money))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point with only the `allocate` subcommand, so it can be used and tested on its own."""
    parser = argparse.ArgumentParser(prog="commons")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


def _as_json(allocation: Allocation) -> str:
    return json.dumps(
        {"selected": list(allocation.selected), "cost": allocation.total_cost, "budget": allocation.budget},
        ensure_ascii=False,
    )


def _as_text(allocation: Allocation, money: MoneyFormat) -> str:
    lines = [
        f"{len(allocation.selected)} projets financés pour {money(allocation.total_cost)} "
        f"sur un budget de {money(allocation.budget)}"
    ]
    funded = set(allocation.selected)
    ordered = [*allocation.selected, *(p for p in allocation.explanations if p not in funded)]
    lines += [f"{project}: {allocation.explanations[project]}" for project in ordered]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
