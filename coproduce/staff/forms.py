"""Staff-area forms: the shared ModelForm base, the list filter form, enquiry status."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms

from coproduce.lib.slugs import make_slug
from coproduce.pages.models import Enquiry

# Path segments the staff URLs use after a kind's prefix; a slug equal to one would be unreachable.
RESERVED_SLUGS = frozenset({"new"})
WEB_ADDRESS_NAME = "Web address name"


class DateInput(forms.DateInput):
    """The browser's date picker; ISO format is what `<input type="date">` reads and sends."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class StaffModelForm(forms.ModelForm[Any]):
    """Shared behaviour: date pickers, plain-English empty choices."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for form_field in self.fields.values():
            if isinstance(form_field, forms.DateField):
                form_field.widget = DateInput()
            if isinstance(form_field, forms.ModelChoiceField):
                if not isinstance(form_field, forms.ModelMultipleChoiceField):
                    form_field.empty_label = "Choose one" if form_field.required else "None"
            elif isinstance(form_field, forms.ChoiceField):
                choices = list(cast(Iterable[Any], form_field.choices))
                if choices and choices[0][0] == "":
                    choices[0] = ("", "Choose one" if form_field.required else "None")
                    form_field.choices = choices

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        # Browsers send text area line breaks as CRLF; stored text uses LF, so an untouched
        # summary would otherwise count as changed (and be audited) on every save.
        for name, form_field in self.fields.items():
            value = cleaned.get(name)
            if isinstance(form_field.widget, forms.Textarea) and isinstance(value, str):
                cleaned[name] = value.replace("\r\n", "\n")
        return cleaned


class SluggedForm(StaffModelForm):
    """A slug is optional on the form: left empty, it is made from the name (or title)."""

    slug_source = "name"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        slug = self.fields["slug"]
        slug.required = False
        slug.help_text = (
            "Lower-case letters, numbers and hyphens, used in web addresses. "
            f"Leave empty to make one from the {self.slug_source}."
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        if "slug" in self.errors:
            return cleaned
        model_field = self._meta.model._meta.get_field("slug")
        max_length = getattr(model_field, "max_length", None) or 50
        source = cleaned.get(self.slug_source) or ""
        slug = cleaned.get("slug") or make_slug(source, max_length)
        if slug in RESERVED_SLUGS:
            self.add_error("slug", "This web address name is reserved. Choose another.")
        elif not slug and self.slug_source not in self.errors:
            self.add_error("slug", "Enter a web address name.")
        else:
            cleaned["slug"] = slug
        return cleaned


def field_labels(form_class: Any) -> dict[str, str]:
    """The form's labels by field name, so pages and history use the words the form uses."""
    return {name: str(f.label) for name, f in form_class.base_fields.items() if f.label}


class FilterForm(forms.Form):
    """Search and filter fields, submitted by GET; every one may be left empty."""

    use_required_attribute = False

    def full_clean(self) -> None:
        super().full_clean()
        # Saying "(optional)" on every filter's label is only noise: after validation they are
        # shown as plain labels (and the browser is not told they are required).
        for form_field in self.fields.values():
            form_field.required = True

    @property
    def active(self) -> bool:
        return any(self.data.get(name) for name in self.fields if name != "page")


class ListFilterForm(FilterForm):
    """The search box and a kind's filters."""

    q = forms.CharField(label="Search", required=False, max_length=200)

    def __init__(self, data: Any, filters: Any = (), search_help: str = "") -> None:
        super().__init__(data)
        self.fields["q"].help_text = search_help
        self.filters = list(filters)
        for list_filter in self.filters:
            self.fields[list_filter.name] = list_filter.form_field()


class EnquiryFilterForm(FilterForm):
    status = forms.ChoiceField(
        label="Status", choices=[("", "All"), *Enquiry.Status.choices], required=False
    )


class EnquiryStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Enquiry.Status.choices)
