from __future__ import annotations

from typing import Any

import pytest

from coproduce.apitokens.models import ApiToken


@pytest.fixture(autouse=True)
def _settings(settings: Any) -> None:
    settings.ROOT_URLCONF = "tests.api.urls"
    # The users' passwords are never checked here; hashing them properly took most of the time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def token(manager: Any) -> tuple[ApiToken, str]:
    """A valid token of the manager: the row and the secret."""
    return ApiToken.objects.issue(manager, "Report script")


@pytest.fixture
def bearer(token: tuple[ApiToken, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {token[1]}"}
