"""HTTP service over a published index (FastAPI)."""
