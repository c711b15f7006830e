"""The dashboard shows each rule's count and its first 50 breaches; ?rule=<key> pages through
all of one rule's breaches, 50 a page (an out-of-range page gives the last, as other lists)."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from coproduce.governance.views import BREACHES_SHOWN
from tests import factories

FIX = "Add a diffusion fellow secondment for"  # the "df" rule's link text, once a breach


def _rule(html: str, key: str) -> str:
    start = html.index(f'id="rule-{key}"')
    end = html.find('<h3 id="rule-', start + 10)
    return html[start : end if end > 0 else len(html)]


def _studies_without_a_fellow(count: int) -> None:
    factories.StudyFactory.create_batch(count)  # active, one funded post, none filled


def test_a_rule_shows_its_count_and_the_first_50_with_a_link_to_all(
    manager_client: Client,
) -> None:
    _studies_without_a_fellow(BREACHES_SHOWN + 7)
    url = reverse("governance:dashboard")
    html = manager_client.get(url).content.decode()
    section = _rule(html, "df")
    count = section.count(FIX)
    assert count == BREACHES_SHOWN
    total = int(section.split("(", 1)[1].split(")", 1)[0])  # the heading's count
    assert total >= BREACHES_SHOWN + 7
    assert f"The first {BREACHES_SHOWN} of {total}." in section
    assert f'href="?rule=df">Show all {total}' in section

    first = manager_client.get(url + "?rule=df")
    assert first.status_code == 200
    page = first.context["page"]
    assert page.number == 1
    assert page.paginator.count == total
    body = first.content.decode()
    assert body.count(FIX) == BREACHES_SHOWN
    assert f"{total} breaches: 1 to {BREACHES_SHOWN} shown." in body
    assert "?rule=df&amp;page=2" in body  # the NHS.UK pagination keeps the rule

    second = manager_client.get(url + "?rule=df&page=2")
    assert second.content.decode().count(FIX) == total - BREACHES_SHOWN
    assert "?rule=df&amp;page=1" in second.content.decode()

    beyond = manager_client.get(url + "?rule=df&page=99")
    assert beyond.status_code == 200
    assert beyond.context["page"].number == page.paginator.num_pages


def test_a_short_rule_has_no_show_all_link(manager_client: Client, study: Any) -> None:
    html = manager_client.get(reverse("governance:dashboard")).content.decode()
    section = _rule(html, "df")
    assert str(study) in section
    assert "Show all" not in section
    assert "The first" not in section


def test_an_unknown_rule_is_not_found(manager_client: Client) -> None:
    response = manager_client.get(reverse("governance:dashboard") + "?rule=nothing")
    assert response.status_code == 404


def test_a_rule_page_is_for_staff_only(db: Any, study: Any) -> None:
    client = Client()
    client.force_login(factories.UserFactory(username="nostaffrole"))
    response = client.get(reverse("governance:dashboard") + "?rule=df")
    assert response.status_code == 403
