from __future__ import annotations

from django.urls import path

from . import views

# Full paths, included at the root: the FHIR base is /fhir without a slash, and a POST cannot be
# redirected to add one.
urlpatterns = [
    path("fhir", views.bundle, name="fhir-base"),
    path("fhir/", views.bundle),
    path("fhir/metadata", views.metadata, name="fhir-metadata"),
    path("fhir/DocumentReference", views.document_reference, name="fhir-document-reference"),
    path("fhir/Communication", views.communications, name="fhir-communication"),
    path("fhir/Condition", views.conditions, name="fhir-condition"),
]
