"""`policy-search`: index, inspect, query, serve, draft."""

from __future__ import annotations

import argparse
import sys

from cli import basis, drafting, indexing, querying, serving


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="policy-search", description="Clause-level search over Chinese policy documents.")
    commands = parser.add_subparsers(dest="command", required=True)
    indexing.add_commands(commands)
    querying.add_commands(commands)
    serving.add_commands(commands)
    drafting.add_commands(commands)
    basis.add_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `policy-search inspect … | head`
        sys.stderr.close()
        return 0

