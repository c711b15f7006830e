"""Forms of the qualitative pages. Uploads pass security/uploads.py's validator first."""

from __future__ import annotations

from typing import Any

from django import forms

from coproduce.coproduction.models import Compromise, JournalEntry, Participant, ReflexiveDialogue
from coproduce.coproduction.models import Source as CoproductionSource
from coproduce.implementation.models import Determinant
from coproduce.qualitative import codebooks, transcripts
from coproduce.qualitative.models import Code, CodeVersion, Project
from coproduce.security.uploads import validate as validate_upload


class AddSourcesForm(forms.Form):
    sources = forms.ModelMultipleChoiceField(
        queryset=CoproductionSource.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Meeting records, documents and email",
    )
    dialogues = forms.ModelMultipleChoiceField(
        queryset=ReflexiveDialogue.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Reflexive dialogues",
    )
    journal_entries = forms.ModelMultipleChoiceField(
        queryset=JournalEntry.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Journal entries their authors shared",
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        from coproduce.qualitative.services import shared_journal_entries

        super().__init__(*args, **kwargs)
        taken = project.sources.all()
        study = project.study
        self.fields["sources"].queryset = CoproductionSource.objects.filter(study=study).exclude(  # type: ignore[attr-defined]
            pk__in=taken.exclude(source=None).values("source")
        )
        self.fields["dialogues"].queryset = ReflexiveDialogue.objects.filter(study=study).exclude(  # type: ignore[attr-defined]
            pk__in=taken.exclude(dialogue=None).values("dialogue")
        )
        self.fields["journal_entries"].queryset = shared_journal_entries(project).exclude(  # type: ignore[attr-defined]
            pk__in=taken.exclude(journal_entry=None).values("journal_entry")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(name) for name in ("sources", "dialogues", "journal_entries")):
            raise forms.ValidationError("Choose at least one record to add")
        return data


class TranscriptForm(forms.Form):
    title = forms.CharField(max_length=300, error_messages={"required": "Enter a title"})
    file = forms.FileField(
        label="Transcript file",
        help_text=(
            "Plain text (.txt, UTF-8), WebVTT (.vtt), SubRip (.srt) or Word (.docx), up to 5 MB. "
            "Speaker names and timestamps are kept."
        ),
        error_messages={"required": "Choose a transcript file"},
    )
    participants = forms.ModelMultipleChoiceField(
        queryset=Participant.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Who speaks in it",
        help_text="Their research-use consent decides whether the transcript may leave in an export.",
    )

    def __init__(self, *args: Any, project: Project | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if project is not None:
            self.fields["participants"].queryset = Participant.objects.filter(study=project.study)  # type: ignore[attr-defined]
        self.parsed: transcripts.Parsed | None = None

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        validate_upload(upload, "transcript")
        upload.seek(0)
        try:
            self.parsed = transcripts.parse(upload.read())
        except transcripts.TranscriptError as error:
            raise forms.ValidationError(str(error)) from error
        return upload


class ImportForm(forms.Form):
    file = forms.FileField(
        label="REFI-QDA file",
        help_text="A project (.qdpx) or a codebook (.qdc) from any REFI-QDA program, up to 100 MB.",
        error_messages={"required": "Choose a .qdpx or .qdc file"},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".qdpx", ".qdc")):
            raise forms.ValidationError("The file must be a .qdpx project or a .qdc codebook")
        validate_upload(upload, "qdpx")
        return upload


class StarterForm(forms.Form):
    starter = forms.ChoiceField(
        label="Starter codebook",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a starter codebook"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["starter"].choices = [  # type: ignore[attr-defined]
            (key, book["name"]) for key, book in codebooks.starters().items()
        ]


class CodeForm(forms.Form):
    name = forms.CharField(max_length=200, error_messages={"required": "Enter the code's name"})
    parent = forms.ModelChoiceField(
        queryset=Code.objects.none(), required=False, label="Under", empty_label="Top level"
    )
    codable = forms.BooleanField(
        required=False, initial=True, label="Coders can apply it (untick for a heading)"
    )
    definition = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    inclusion = forms.CharField(
        label="Use when (inclusion criteria)",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    exclusion = forms.CharField(
        label="Do not use when (exclusion criteria)",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    examples = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(
        self, *args: Any, project: Project, code: Code | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        parents = project.codes.all()
        if code is not None:
            parents = parents.exclude(pk__in=_descendants(code))
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]


def _descendants(code: Code) -> set[int]:
    found = {code.pk}
    frontier = [code.pk]
    while frontier:
        frontier = list(Code.objects.filter(parent__in=frontier).values_list("pk", flat=True))
        found.update(frontier)
    return found


def code_initial(code: Code) -> dict[str, Any]:
    version: CodeVersion | None = code.current
    initial: dict[str, Any] = {"name": code.name, "parent": code.parent, "codable": code.codable}
    for name in CodeVersion.MEANING:
        initial[name] = getattr(version, name) if version else ""
    return initial


class CodingForm(forms.Form):
    """A passage and a code. The passage is chosen by turns or lines (checkboxes: keyboard and
    no script), or by character offsets, which the page's script fills from a mouse selection."""

    code = forms.ModelChoiceField(
        queryset=Code.objects.none(), error_messages={"required": "Choose a code"}
    )
    segments = forms.MultipleChoiceField(
        choices=[], required=False, widget=forms.CheckboxSelectMultiple, label="Passage"
    )
    start = forms.IntegerField(
        required=False, min_value=0, label="Or from character", help_text="Counted from 0."
    )
    end = forms.IntegerField(required=False, min_value=1, label="to character (not included)")
    memo = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    compromises = forms.ModelMultipleChoiceField(
        queryset=Compromise.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Links to compromises",
    )
    determinants = forms.ModelMultipleChoiceField(
        queryset=Determinant.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Links to barriers and facilitators",
    )
    dialogues = forms.ModelMultipleChoiceField(
        queryset=ReflexiveDialogue.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Links to reflexive dialogues",
    )

    def __init__(
        self, *args: Any, project: Project, segments: list[tuple[int, int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.segment_spans = {
            str(n): (start, end) for n, (start, end, _label) in enumerate(segments, 1)
        }
        self.fields["segments"].choices = [  # type: ignore[attr-defined]
            (str(n), label) for n, (_s, _e, label) in enumerate(segments, 1)
        ]
        self.fields["code"].queryset = project.codes.filter(codable=True).order_by("name")  # type: ignore[attr-defined]
        study = project.study
        self.fields["compromises"].queryset = Compromise.objects.filter(study=study)  # type: ignore[attr-defined]
        self.fields["determinants"].queryset = Determinant.objects.filter(study=study)  # type: ignore[attr-defined]
        self.fields["dialogues"].queryset = ReflexiveDialogue.objects.filter(study=study)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = data.get("segments") or []
        start, end = data.get("start"), data.get("end")
        if chosen:
            spans = [self.segment_spans[n] for n in chosen]
            data["start"] = min(s for s, _ in spans)
            data["end"] = max(e for _, e in spans)
        elif (start is None or end is None) and not ({"start", "end"} & set(self.errors)):
            self.add_error(
                "segments",
                "Choose the passage: tick its lines, or give its first and last character",
            )
        return data
