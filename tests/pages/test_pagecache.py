"""The public page cache (coproduce/pagecache/__init__.py): a repeated anonymous GET is served from
the cache, and any change to the data shows on the next request."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from coproduce import pagecache
from coproduce.registry.models import Study
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache_on(settings: Any, tmp_path: Any) -> None:
    settings.PAGE_CACHE_SECONDS = 60
    settings.DATA_DIR = tmp_path
    pagecache.clear()


def _get(client: Client, path: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_a_repeated_anonymous_get_runs_no_query(client: Client, study: Study) -> None:
    first, queries = _get(client, "/studies/")
    assert queries > 0
    second, queries = _get(client, "/studies/")
    assert (second, queries) == (first, 0)


def test_a_saved_edit_shows_at_once(client: Client, study: Study) -> None:
    assert "Return to work after stroke" in _get(client, "/studies/")[0]
    study.title = "Back to work after a stroke"
    study.save()
    page, queries = _get(client, "/studies/")
    assert queries > 0
    assert "Back to work after a stroke" in page
    assert "Back to work after a stroke" in _get(client, study.get_absolute_url())[0]


def test_a_new_and_a_deleted_row_show_at_once(client: Client, study: Study) -> None:
    _get(client, "/themes/")
    theme = factories.ThemeFactory(name="A brand new theme")
    assert "A brand new theme" in _get(client, "/themes/")[0]
    theme.delete()
    assert "A brand new theme" not in _get(client, "/themes/")[0]


def test_bulk_writers_bump(client: Client, study: Study) -> None:
    _get(client, "/studies/")
    Study.objects.filter(pk=study.pk).update(title="Changed in bulk")  # no signal...
    pagecache.bump()  # ...so bulk writers bump, as loadsynthetic does
    assert "Changed in bulk" in _get(client, "/studies/")[0]


def test_update_without_signal_is_seen_after_any_post(client: Client, study: Study) -> None:
    _get(client, "/studies/")
    Study.objects.filter(pk=study.pk).update(title="Changed by update()")
    assert "Changed by update()" not in _get(client, "/studies/")[0]  # cached, as documented
    client.post("/contact/", {})  # any unsafe request bumps the generation
    assert "Changed by update()" in _get(client, "/studies/")[0]


def test_entries_expire(client: Client, study: Study, settings: Any, monkeypatch: Any) -> None:
    _get(client, "/studies/")
    Study.objects.filter(pk=study.pk).update(title="Changed by update()")
    now = pagecache.time.monotonic()
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: now + 61)
    assert "Changed by update()" in _get(client, "/studies/")[0]


def test_signed_in_and_form_pages_are_never_cached(admin_client: Client, client: Client,
                                                   study: Study) -> None:  # fmt: skip
    _get(admin_client, "/studies/")
    assert _get(admin_client, "/studies/")[1] > 0  # has a session cookie
    _get(client, "/contact/")
    assert _get(client, "/contact/")[1] >= 0
    assert not pagecache.cacheable_path("/contact/")
    assert not pagecache.cacheable_path("/events/booking/abc/")
    assert not pagecache.cacheable_path("/staff/")
    assert pagecache.cacheable_path("/")
    assert pagecache.cacheable_path("/studies/x/")


def test_off_when_seconds_is_zero(client: Client, study: Study, settings: Any) -> None:
    settings.PAGE_CACHE_SECONDS = 0
    _get(client, "/studies/")
    assert _get(client, "/studies/")[1] > 0


def test_generation_is_shared_through_the_data_directory(settings: Any) -> None:
    before = pagecache.generation()
    pagecache.bump()
    after = pagecache.generation()
    assert after
    assert after != before
    assert (settings.DATA_DIR / "page-generation").read_bytes().rstrip() == after


def test_a_bump_is_seen_after_the_file_is_removed(settings: Any, tmp_path: Any) -> None:
    """The descriptor kept open is opened again when the file goes or the folder changes."""
    settings.DATA_DIR = tmp_path / "one"
    pagecache.bump()
    first = pagecache.generation()
    (tmp_path / "one" / "page-generation").unlink()
    pagecache.bump()
    assert pagecache.generation() not in (b"", first)
    settings.DATA_DIR = tmp_path / "two"
    pagecache.bump()
    assert (tmp_path / "two" / "page-generation").read_bytes().rstrip() == pagecache.generation()


def test_memo_is_kept_until_the_data_changes(study: Study) -> None:
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert pagecache.memo("k", compute) == 1
    assert pagecache.memo("k", compute) == 1
    study.title = "Edited"
    study.save()  # bumps the generation
    assert pagecache.memo("k", compute) == 2


def test_governance_dashboard_shows_a_fix_at_once(manager_client: Client, study: Study) -> None:
    """The dashboard's rules are memoised; a study that stops being active leaves them at once."""
    before = manager_client.get("/staff/governance/").content.decode()
    assert study.title in before
    study.stage = Study.Stage.COMPLETE
    study.save()
    after = manager_client.get("/staff/governance/").content.decode()
    assert study.title not in after


def test_directory_offers_a_new_community_at_once(manager_client: Client, study: Study) -> None:
    """A new study's community can be picked in the directory at once: suggested, and its
    name typed into the filter finds it (staff/lookup.py)."""
    suggest = "/staff/lookup/communities/?q=Brand"
    assert "Brand new study" not in manager_client.get(suggest).content.decode()
    factories.StudyFactory(title="Brand new study")  # its community comes from a signal
    assert "Brand new study" in manager_client.get(suggest).content.decode()
    page = manager_client.get("/staff/associates/", {"cop": "Brand new study"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "nhsuk-error-summary" not in html
    assert 'value="Brand new study' in html


def test_loadsynthetic_bumps_the_generation(client: Client) -> None:
    from coproduce.demo import synthetic

    _get(client, "/studies/")
    before = pagecache.generation()
    synthetic.load(synthetic.SCALES["small"], 1, report=lambda *args: None)
    assert pagecache.generation() != before
    assert "syn-" in _get(client, "/studies/")[0]
