"""The demo's sign-ins, one per role as people live it: each printed name signs in with the
demo password, and the diffusion fellow's and researcher in residence's staff homes show their
own time first."""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import Client

from coproduce.operations.management.commands.serve import DEMO_SIGN_INS


@pytest.fixture(autouse=True)
def _md5(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_every_printed_demo_sign_in_works_and_the_brokers_see_their_time(db: Any) -> None:
    call_command("loaddemo", stdout=StringIO())
    printed = " ".join(DEMO_SIGN_INS)
    names = re.findall(
        r"\b(manager|researcher|reader|fellow|resident|panelchair|reviewer|carer)\b", printed
    )
    assert {"fellow", "resident"} <= set(names)
    for username in set(names):
        assert authenticate(username=username, password="coproduce-demo") is not None, username
    with open("README.md", encoding="utf-8") as readme:
        text = readme.read()
    assert "`fellow`, a diffusion fellow" in text
    assert "`resident`, a" in text

    fellow, resident = Client(), Client()
    fellow.login(username="fellow", password="coproduce-demo")
    resident.login(username="resident", password="coproduce-demo")
    html = fellow.get("/staff/").content.decode()
    assert "Diffusion fellow secondment: Return to work after stroke" in html
    assert "days used of" in html
    html = resident.get("/staff/").content.decode()
    assert "Researcher in residence at" in html
    assert "working days in so far" in html
