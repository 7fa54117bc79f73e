"""What is indexed for a clause: its text with the document title and heading it sits under."""

from __future__ import annotations

from policy_search.model import Clause, DocumentMeta
from policy_search.tokenize import short_titles


def passage_text(meta: DocumentMeta, clause: Clause) -> str:
    """Title, innermost heading and article label before the text: a clause alone rarely names its subject."""
    names = short_titles(meta.title)
    title = names[-1] if names else meta.title
    heading = clause.locator.path[-1] if clause.locator.path else ""
    if clause.text.startswith(heading):  # a heading that is one unit with its body is already in the text
        heading = ""
    parts = [title, heading, clause.locator.article or "", clause.text]
    return " ".join(part for part in parts if part)
