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
