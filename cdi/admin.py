from __future__ import annotations

from django.contrib import admin

from .models import AuditEvent, Encounter, Gap, IntegrationClient, Note, Patient, Provider


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ("name", "npi", "service_line", "user")
    search_fields = ("name", "npi")


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ("mrn", "name", "birth_date", "sex")
    search_fields = ("mrn",)


@admin.register(Encounter)
class EncounterAdmin(admin.ModelAdmin):
    list_display = (
        "account_number",
        "patient",
        "encounter_class",
        "attending",
        "service_line",
        "admitted_at",
    )
    search_fields = ("account_number", "patient__mrn")
    list_filter = ("encounter_class", "service_line")


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ("id", "encounter", "note_type", "source", "status", "received_at")
    list_filter = ("status", "source")
    readonly_fields = ("text_sha256", "status", "failure_reason", "analysed_at", "analysis_started_at")


@admin.register(Gap)
class GapAdmin(admin.ModelAdmin):
    list_display = ("id", "note", "category", "condition", "confidence", "status")
    list_filter = ("category", "status")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_label", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IntegrationClient)
class IntegrationClientAdmin(admin.ModelAdmin):
    list_display = ("name", "is_active", "created_at", "last_used_at")
    readonly_fields = ("token_sha256",)
