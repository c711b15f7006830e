"""The old import path of the staff API token model, which lives in coproduce/apitokens/.
api/auth.py and api/views.py still import it from here so that the `exports` branch, which
edits them, merges cleanly; removed when exports lands (an import-linter contract in
pyproject.toml forbids any other app to import it)."""

from coproduce.apitokens.models import ApiToken

__all__ = ["ApiToken"]
