"""The `policy-search` command line."""
