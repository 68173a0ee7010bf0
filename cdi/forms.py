from __future__ import annotations

from django import forms
from django.conf import settings

from .intake import IntakeError, NoteInput, decode_note_text
from .models import Encounter, Note


class NoteIntakeForm(forms.Form):
    encounter = forms.CharField(label="Encounter account number", max_length=64)
    note_type = forms.CharField(
        max_length=100, required=False, help_text="e.g. H&P, progress note, discharge summary"
    )
    service_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    text = forms.CharField(label="Paste the note", widget=forms.Textarea(attrs={"rows": 14}), required=False)
    upload = forms.FileField(label="…or upload a text file", required=False)

    def clean_encounter(self) -> Encounter:
        account = self.cleaned_data["encounter"].strip()
        encounter = Encounter.objects.filter(account_number=account).first()
        if encounter is None:
            raise forms.ValidationError("No encounter has this account number.")
        return encounter

    def clean(self):
        cleaned = super().clean()
        text, upload = cleaned.get("text") or "", cleaned.get("upload")
        if text.strip() and upload:
            raise forms.ValidationError("Paste the note or upload a file, not both.")
        if upload is not None:
            if upload.size > settings.NOTE_MAX_BYTES:
                raise forms.ValidationError(
                    f"The file is {upload.size:,} bytes; the limit is {settings.NOTE_MAX_BYTES:,} bytes."
                )
            raw: bytes | str = upload.read()
        else:
            raw = text
        try:
            cleaned["note_text"] = decode_note_text(raw)
        except IntakeError as exc:
            raise forms.ValidationError(exc.reason) from None
        return cleaned

    def note_input(self) -> NoteInput:
        data = self.cleaned_data
        return NoteInput(
            encounter=data["encounter"],
            text=data["note_text"],
            note_type=data.get("note_type") or "",
            service_date=data.get("service_date"),
            source=Note.Source.BROWSER,
        )


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class QueryWordingForm(forms.Form):
    addressed_to = forms.ModelChoiceField(queryset=None, label="Physician")
    format = forms.ChoiceField(
        choices=[(f, f.replace("_", " ")) for f in ("multiple_choice", "yes_no", "open_ended")]
    )
    purpose = forms.ChoiceField(
        choices=[
            (p, p.replace("_", " "))
            for p in (
                "new_diagnosis",
                "specificity",
                "confirm_documented",
                "present_on_admission",
                "cause_and_effect",
                "conflicting_documentation",
            )
        ]
    )
    indicators = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), help_text="One clinical indicator per line."
    )
    question = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    options = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}), required=False, help_text="One option per line."
    )

    def __init__(self, *args, providers=None, edit: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["addressed_to"].queryset = providers
        if edit:
            self.fields["addressed_to"].required = False

    @classmethod
    def from_draft(cls, draft, addressed_to, providers) -> QueryWordingForm:
        return cls(
            initial={
                "addressed_to": addressed_to,
                "format": draft.format,
                "purpose": draft.purpose,
                "indicators": "\n".join(draft.indicators),
                "question": draft.question,
                "options": "\n".join(draft.options),
            },
            providers=providers,
        )

    @classmethod
    def from_version(cls, version, providers) -> QueryWordingForm:
        return cls(
            initial={
                "addressed_to": version.query.addressed_to,
                "format": version.format,
                "purpose": version.purpose,
                "indicators": "\n".join(version.indicators),
                "question": version.question,
                "options": "\n".join(version.options),
            },
            providers=providers,
            edit=True,
        )

    def wording(self):
        from .querying import Wording

        data = self.cleaned_data
        return Wording(
            format=data["format"],
            purpose=data["purpose"],
            question=data["question"].strip(),
            indicators=_lines(data["indicators"]),
            options=_lines(data["options"]),
        )


class QueryAnswerForm(forms.Form):
    choice = forms.ChoiceField(widget=forms.RadioSelect, label="Your clinical determination")
    other_text = forms.CharField(required=False, max_length=2000, label="If other, please specify")
    comment = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        if version.format == "open_ended":
            self.fields["choice"] = forms.CharField(max_length=300, label="Your clinical determination")
        else:
            self.fields["choice"].choices = [(o, o) for o in version.options]
