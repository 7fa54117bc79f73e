"""Clause retrieval over a published index generation: BM25, dense, and their fusion with ranking priors."""
