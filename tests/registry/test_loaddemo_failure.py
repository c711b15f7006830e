"""`coproduce loaddemo` failing part way leaves nothing behind (apart from test_loaddemo.py,
whose module keeps the demo loaded while its tests run)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from coproduce.demo.loader import registry as clahrc_ndl
from tests.registry.test_loaddemo import counts, load

pytestmark = pytest.mark.django_db


def test_a_failure_part_way_leaves_nothing_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = [{**clahrc_ndl.PLACEMENTS[0], "host_organisation": "no-such-organisation"}]
    monkeypatch.setattr(clahrc_ndl, "PLACEMENTS", broken)
    with pytest.raises(KeyError):
        load()
    assert all(count == 0 for name, count in counts().items() if name != "user groups")
    assert not get_user_model().objects.exists()
