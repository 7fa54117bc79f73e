"""A folder of files published whole or not at all (a cache several processes may write at once)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def published_folder(folder: Path, marker: str, prefix: str) -> Iterator[Path]:
    """Yield a staging folder beside `folder`, renamed to `folder` when the block ends: readers see every file or
    none. Where another process published `folder` first (its `marker` file is there), theirs is kept."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=prefix))
    try:
        yield staging
        staging.rename(folder)
    except OSError:
        if not (folder / marker).is_file():  # another process published it first: theirs is as good
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
