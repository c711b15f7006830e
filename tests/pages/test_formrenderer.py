"""coproduce/lib/formrenderer.py draws <select> exactly as Django's templates do."""

from __future__ import annotations

from django import forms
from django.forms.renderers import DjangoTemplates
from django.test import override_settings

from coproduce.lib.formrenderer import FastSelectRenderer


class _Form(forms.Form):
    plain = forms.ChoiceField(choices=[("", "Any"), ("a&b", 'A <b> & "c"'), ("2", "Two")])
    grouped = forms.ChoiceField(
        choices=[("Fruit", [("apple", "Apple"), ("pear", "Pear")]), ("x", "Loose")]
    )
    many = forms.MultipleChoiceField(choices=[(str(i), f"Option {i}") for i in range(50)])
    number = forms.TypedChoiceField(choices=[(1, "One"), (2, "Two")], coerce=int)


def _html(renderer: object, data: dict[str, object]) -> list[str]:
    form = _Form(data, renderer=renderer)
    form.is_valid()
    attrs = {"class": "nhsuk-select", "aria-describedby": "x-hint", "required": True,
             "disabled": False}  # fmt: skip
    return [form[name].as_widget(attrs=attrs) for name in form.fields]


def test_same_markup_as_django_templates() -> None:
    for data in (
        {},
        {"plain": "a&b", "grouped": "pear", "many": ["3", "7"], "number": "2"},
        {"plain": "<script>", "grouped": "x"},
    ):
        assert _html(FastSelectRenderer(), data) == _html(DjangoTemplates(), data)


def test_fast_renderer_is_the_sites() -> None:
    from django.conf import settings

    assert settings.FORM_RENDERER == "coproduce.lib.formrenderer.FastSelectRenderer"


@override_settings(FORM_RENDERER="coproduce.lib.formrenderer.FastSelectRenderer")
def test_other_widgets_still_use_templates() -> None:
    class Other(forms.Form):
        name = forms.CharField()
        pick = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect)

    form = Other()
    assert 'type="text"' in str(form["name"])
    assert 'type="radio"' in str(form["pick"])
