"""A full run through intake, analysis, errors, query and answer leaves no PHI in the logs."""

from __future__ import annotations

import json
import logging

from django.urls import reverse

from cdi import querying
from cdi.analysis import analyse_note
from cdi.models import Gap, Note, Patient, Query

SECRET_TEXT = (
    "Zebulon Quartermaine has sodium 126 down from 131 with fluid restriction 1.2 L and recheck sodium q6h"
)
MRN = "MRN-PHI-4242"


def test_logs_of_a_full_run_hold_no_note_text_name_or_mrn(
    client, cast, encounter, api_token, caplog, settings, django_capture_on_commit_callbacks
):
    settings.CDI_MODEL_ENABLED = False
    Patient.objects.filter(pk=encounter.patient_id).update(name="Zebulon Quartermaine", mrn=MRN)
    encounter.attending = cast.provider
    encounter.save(update_fields=("attending",))
    caplog.set_level(logging.DEBUG)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token}"}
    text = "PROGRESS NOTE\nASSESSMENT AND PLAN:\n1. " + SECRET_TEXT + ".\n"
    with django_capture_on_commit_callbacks(execute=False):
        created = client.post(
            "/api/notes",
            json.dumps({"encounter": "ACC-001", "text": text}),
            content_type="application/json",
            **auth,
        )
    assert created.status_code == 201
    # error paths log too
    client.post(
        "/api/notes",
        json.dumps({"encounter": MRN, "text": SECRET_TEXT}),
        content_type="application/json",
        **auth,
    )
    client.post(
        "/api/notes",
        json.dumps({"encounter": "ACC-001", "text": SECRET_TEXT + "\x00"}),
        content_type="application/json",
        **auth,
    )
    client.post(
        "/api/notes", b'{"text": "' + SECRET_TEXT.encode() + b'"', content_type="application/json", **auth
    )
    note = Note.objects.get()
    assert analyse_note(note.id) == "analysed"
    gap = Gap.objects.filter(note=note).first()
    assert gap is not None
    client.force_login(cast.specialist)
    client.get(reverse("encounter-detail", args=[encounter.id]))
    page = client.get(reverse("query-draft", args=[gap.id]))
    form = page.context["form"]
    data = {name: form.initial.get(name) for name in form.fields} | {"addressed_to": cast.provider.pk}
    client.post(reverse("query-draft", args=[gap.id]), data)
    query = Query.objects.get()
    client.post(reverse("query-send", args=[query.id]))
    query.refresh_from_db()
    client.logout()
    client.get(reverse("query-answer", args=["tampered-" + querying.link_token(query)]))
    client.post(
        reverse("query-answer", args=[querying.link_token(query)]), {"choice": "Clinically undetermined"}
    )
    logged = "\n".join(r.getMessage() + " " + str(r.args) for r in caplog.records)
    assert logged  # the run did log
    for secret in ("Zebulon", "Quartermaine", MRN, "fluid restriction 1.2", "sodium 126 down"):
        assert secret not in logged, secret
