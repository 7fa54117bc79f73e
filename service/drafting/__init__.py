"""Rectification-plan drafting: for each inspection problem, the clauses a plan must cite."""
