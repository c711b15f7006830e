"""The staff form of an output (one of the Researchfish outcome types) and the import form.

Identifiers are checked for form by `lib/references.py` and must not belong to another output
already recorded (DOI, PMID, ISBN); the extra fields of the chosen type are kept in
`Output.details`, and those of other types are dropped, so changing the type leaves nothing
stale behind.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from coproduce.implementation import outcomes
from coproduce.implementation.forms import _date, _record_label, _required_messages
from coproduce.implementation.models import ImplementationRecord, Output
from coproduce.lib import references
from coproduce.registry.models import Person
from coproduce.security.uploads import validate as validate_upload

DETAIL_PREFIX = "detail_"


def _subtype_choices() -> list[Any]:
    choices: list[Any] = [("", "None")]
    for value, label in outcomes.OutcomeType.choices:
        subs = outcomes.subtypes(value)
        if subs:
            choices.append((label, [(f"{value}:{s}", s) for s in subs]))
    return choices


def _types_using(name: str) -> str:
    labels = [
        str(label)
        for value, label in outcomes.OutcomeType.choices
        if any(f.name == name for f in outcomes.fields(value))
    ]
    return "For " + "; ".join(labels).lower() + "."


class OutputForm(forms.ModelForm[Output]):
    date = _date("Date", help_text="For example 17 5 2019. Only the year? Enter 1 1 and the year.")
    link = forms.URLField(
        label="Link",
        required=False,
        assume_scheme="https",
        help_text="Optional web address.",
        error_messages={
            "invalid": "Enter a web address in the correct format, like https://www.example.org"
        },
    )
    subtype_choice = forms.ChoiceField(
        label="Sub-type", required=False, help_text="Choose one of the chosen type's sub-types."
    )

    class Meta:
        model = Output
        fields = [
            "kind",
            "title",
            "date",
            "date_precision",
            "authors",
            "container",
            "volume",
            "issue",
            "pages",
            "publisher",
            "doi",
            "pmid",
            "isbn",
            "link",
            "description",
            "studies",
            "records",
            "people",
            "organisations",
            "compromises",
            "public",
            "what_changed",
            "what_changed_public",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "date_precision": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 3}),
            "authors": forms.Textarea(attrs={"rows": 3}),
            "what_changed": forms.Textarea(attrs={"rows": 3}),
            "studies": forms.SelectMultiple(attrs={"size": 6}),
            "records": forms.SelectMultiple(attrs={"size": 6}),
            "people": forms.SelectMultiple(attrs={"size": 6}),
            "organisations": forms.SelectMultiple(attrs={"size": 6}),
            "compromises": forms.SelectMultiple(attrs={"size": 6}),
        }
        help_texts = {
            "doi": "For example 10.1136/bmj.j3453",
            "pmid": "For example 28794154",
            "isbn": "10 or 13 digits, for example 978-0-306-40615-7",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(
            ["kind", "subtype_choice", "title"]
            + [n for n in self.fields if n not in ("kind", "subtype_choice", "title")]
        )
        sub = self.fields["subtype_choice"]
        assert isinstance(sub, forms.ChoiceField)
        sub.choices = _subtype_choices()
        if self.instance.pk and self.instance.subtype:
            self.initial.setdefault(
                "subtype_choice", f"{self.instance.kind}:{self.instance.subtype}"
            )
        for field in outcomes.all_detail_fields():
            name = DETAIL_PREFIX + field.name
            if field.choices:
                self.fields[name] = forms.ChoiceField(
                    label=field.label,
                    required=False,
                    choices=[("", "None"), *[(c, c) for c in field.choices]],
                    help_text=_types_using(field.name),
                )
            else:
                self.fields[name] = forms.CharField(
                    label=field.label,
                    required=False,
                    max_length=300,
                    help_text=_types_using(field.name),
                )
            if self.instance.pk:
                self.initial.setdefault(name, self.instance.details.get(field.name, ""))
        records = self.fields["records"]
        assert isinstance(records, forms.ModelMultipleChoiceField)
        records.queryset = ImplementationRecord.objects.select_related("study", "site")
        records.label_from_instance = _record_label  # type: ignore[method-assign,assignment]
        people = self.fields["people"]
        assert isinstance(people, forms.ModelMultipleChoiceField)
        people.queryset = Person.objects.order_by("full_name")
        compromises = self.fields["compromises"]
        assert isinstance(compromises, forms.ModelMultipleChoiceField)
        compromises.queryset = compromises.queryset.select_related("study")  # type: ignore[union-attr]
        compromises.label_from_instance = lambda c: f"{c.study.title}: {c.summary}"  # type: ignore[method-assign,assignment]
        _required_messages(self)
        self.fields["date_precision"].required = False

    def _clean_identifier(self, name: str, clean: Any) -> str:
        value = clean(self.cleaned_data.get(name) or "")
        if value:
            same = Output.objects.exclude(pk=self.instance.pk)
            if name == "isbn":
                taken = same.filter(isbn__in={value, references.isbn13(value)})
            elif name == "doi":
                taken = same.filter(doi__iexact=value)
            else:
                taken = same.filter(**{name: value})
            other = taken.first()
            if other is not None:
                label = self.fields[name].label
                raise ValidationError(f"{label} {value} is already recorded, on “{other.title}”")
        return value

    def clean_doi(self) -> str:
        return self._clean_identifier("doi", references.clean_doi)

    def clean_pmid(self) -> str:
        return self._clean_identifier("pmid", references.clean_pmid)

    def clean_isbn(self) -> str:
        return self._clean_identifier("isbn", references.clean_isbn)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("date_precision"):
            data["date_precision"] = Output.Precision.DAY
        kind = data.get("kind", "")
        studies = data.get("studies")
        records = data.get("records")
        if studies and records:
            stray = [r for r in records if r.study not in studies]
            if stray:
                self.add_error("records", "Choose implementation records of the chosen studies")
        chosen = data.get("compromises")
        if studies and chosen and any(c.study not in studies for c in chosen):
            self.add_error("compromises", "Choose compromises of the chosen studies")
        choice = data.get("subtype_choice") or ""
        if choice:
            of_kind, _, subtype = choice.partition(":")
            if kind and of_kind != kind:
                self.add_error(
                    "subtype_choice", "Choose a sub-type of the chosen type, or choose None"
                )
            self.instance.subtype = subtype
        else:
            self.instance.subtype = ""
        names = {f.name for f in outcomes.fields(kind)}
        self.instance.details = {
            name: value
            for name in sorted(names)
            if (value := (data.get(DETAIL_PREFIX + name) or "").strip())
        }
        if data.get("what_changed_public") and not (data.get("what_changed") or "").strip():
            self.add_error("what_changed", "Enter what changed, or untick “show what changed”")
        return data


class ImportForm(forms.Form):
    """A reference file to import as publications of one study."""

    file = forms.FileField(
        label="Reference file",
        help_text="RIS (.ris), BibTeX (.bib) or CSL-JSON (.json), as exported by a reference "
        "manager such as Zotero or EndNote.",
        error_messages={"required": "Choose a reference file"},
    )
    leave_out_duplicates = forms.BooleanField(
        label="Import the rest, leaving out the duplicates listed",
        required=False,
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if references.format_of(upload.name) is None:
            raise ValidationError("The reference file must be a .ris, .bib or .json file")
        validate_upload(upload, "scores")  # a text file: the 2 MB limit of a scores file
        raw = upload.read()
        try:
            self.text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError("The reference file must be saved as UTF-8 text") from None
        return upload
