"""The page cache's old import path, kept only for coproduce/implementation/views.py and
coproduce/registry/synthetic.py, which the `records` and `demodata` branches are rewriting.
The cache lives in coproduce/pagecache/ (`from coproduce import pagecache`); this file is
removed when those branches land (an import-linter contract in pyproject.toml forbids
importing it from anywhere else)."""

from coproduce.pagecache import bump, memo

__all__ = ["bump", "memo"]
