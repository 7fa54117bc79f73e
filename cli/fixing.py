"""`check FILE --fix`: a corrected copy of a checked file, each citation of a repealed or older text replaced by
the citation of the article in force that carries its rule. A .docx stays a .docx (the first run of each
replaced citation keeps its formatting); .txt and .md are rewritten as text."""

from __future__ import annotations

from pathlib import Path


def replacements(text: str, answer: dict) -> list[tuple[int, int, str]]:
    """(start, end, new citation) for every citation the check found a replacement for, in text order."""
    found = []
    for citation in answer["citations"]:
        new = citation.get("replacement")
        if new is None and citation["verdict"] == "older_version" and citation.get("current", {}).get("clause_id"):
            new = citation["current"]["citation"]
        start, end = citation["span"]
        if new and text[start:end] != new:
            found.append((start, end, new))
    return found


def fixed_text(text: str, changes: list[tuple[int, int, str]]) -> str:
    for start, end, new in sorted(changes, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def fixed_path(path: Path) -> Path:
    """整改方案.docx → 整改方案（现行条文）.docx, beside it."""
    return path.with_name(f"{path.stem}（现行条文）{path.suffix}")


def write_fixed(path: Path, out: Path, text: str, changes: list[tuple[int, int, str]]) -> int:
    """Write the corrected copy; returns the number of citations replaced."""
    if path.suffix.lower() == ".docx":
        return _fix_docx(path, out, [(text[s:e], new) for s, e, new in changes])
    out.write_text(fixed_text(text, changes), encoding="utf-8")
    return len(changes)


def _fix_docx(path: Path, out: Path, pairs: list[tuple[str, str]]) -> int:
    """Each old citation replaced, paragraph by paragraph (body, tables, headers and footers), in its runs."""
    import docx

    document = docx.Document(str(path))
    wanted = dict(pairs)
    replaced = 0
    for paragraph in _paragraphs(document):
        for old, new in wanted.items():
            replaced += _replace_in_runs(paragraph.runs, old, new)
    document.save(str(out))
    return replaced


def _paragraphs(document):
    def walk(container):
        yield from container.paragraphs
        for table in getattr(container, "tables", []):
            for row in table.rows:
                for cell in row.cells:
                    yield from walk(cell)

    yield from walk(document)
    for section in document.sections:
        for part in (section.header, section.footer):
            yield from walk(part)


def _replace_in_runs(runs, old: str, new: str) -> int:
    """Replace every occurrence of `old` across the runs: the new text goes into the run where it starts."""
    count, start = 0, 0
    while True:
        texts = [run.text for run in runs]
        joined = "".join(texts)
        at = joined.find(old, start)
        if at < 0 or not old:
            return count
        end = at + len(old)
        offset = 0
        for run, text in zip(runs, texts):
            run_start, run_end = offset, offset + len(text)
            offset = run_end
            if run_end <= at or run_start >= end:
                continue
            keep_before = text[: max(0, at - run_start)]
            keep_after = text[max(0, end - run_start) :] if end < run_end else ""
            run.text = keep_before + (new if run_start <= at < run_end else "") + keep_after
        count += 1
        start = at + len(new)
