"""`{% url %}` (coproduce/lib/templateurls.py): Django's tag, its answers kept per process."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.template import Context, Template, engines
from django.urls import NoReverseMatch, get_resolver, reverse

from coproduce.lib import urls
from coproduce.lib.templateurls import OnceURLNode
from tests import factories


def render(source: str, **context: Any) -> str:
    return Template(source).render(Context(context))


def test_every_template_s_url_tag_is_the_per_process_one() -> None:
    template = engines["django"].from_string("{% url 'registry:study' 'a' %}")
    nodes = template.template.nodelist  # type: ignore[attr-defined]
    assert isinstance(nodes[0], OnceURLNode)


def test_a_plain_link_is_the_same_as_django_s_and_worked_out_once() -> None:
    urls.clear()
    assert render("{% url 'registry:study' 'a-study' %}") == reverse(
        "registry:study", args=["a-study"]
    )
    render("{% url 'registry:study' slug %}", slug="a-study")
    info = urls._reverse.cache_info()
    assert info.hits == 1
    assert info.misses == 1
    assert render("{% url 'registry:study' slug=s %}", s="b") == reverse(
        "registry:study", kwargs={"slug": "b"}
    )
    key = uuid.uuid4()
    assert render("{% url 'registry:who_is_who_person' key %}", key=key) == reverse(
        "registry:who_is_who_person", args=[key]
    )


@pytest.mark.django_db
def test_a_model_instance_is_not_kept_by_its_key(db: Any) -> None:
    """An argument that is not a plain string, number or UUID goes through Django's tag: its
    text could change while it stays equal (a model instance is equal by primary key)."""
    urls.clear()
    study = factories.StudyFactory(slug="first", title="first")
    assert render("{% url 'registry:study' s %}", s=study.slug) == "/studies/first/"
    before = urls._reverse.cache_info().currsize
    assert render("{% url 'registry:study' s %}", s=study) == "/studies/first/"  # its title
    assert urls._reverse.cache_info().currsize == before


def test_as_var_and_a_bad_name_behave_as_django_s() -> None:
    assert render("{% url 'no-such-name' as link %}[{{ link }}]") == "[]"
    with pytest.raises(NoReverseMatch):
        render("{% url 'no-such-name' %}")
    assert render("{% url 'registry:study' 'x' as link %}<{{ link }}>") == "</studies/x/>"


def test_no_application_is_included_under_two_instance_namespaces() -> None:
    """Django's tag reverses within the request's instance namespace (`current_app`); the
    per-process tag does not, which is the same only while no application has two."""
    assert {
        name: spaces for name, spaces in get_resolver().app_dict.items() if len(spaces) > 1
    } == {}
