"""Turns documents (txt, md, docx, pdf, html, JSON lines) into clauses and index files."""
