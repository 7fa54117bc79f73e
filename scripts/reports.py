"""Where the measuring scripts leave their figures: one JSON file each, under var/ unless told otherwise."""

from __future__ import annotations

import json
from pathlib import Path


def write_report(path: Path, report: dict | list) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"written {path}")
