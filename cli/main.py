"""`policy-search`: index documents, inspect their segmentation (later: query, serve, draft)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cli import indexing


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="policy-search", description="Clause-level search over Chinese policy documents.")
    commands = parser.add_subparsers(dest="command", required=True)
    indexing.add_commands(commands)
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


def print_json(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False))


__all__ = ["main", "build_parser", "print_json", "Path"]
