from __future__ import annotations

from django.contrib import admin

from .models import AuditEvent, Encounter, Gap, IntegrationClient, Note, Patient, Provider, QueryTemplate


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

    def has_delete_permission(self, request, obj=None):
        # A gap is closed by a status (dismissed, resolved, superseded), never removed: its audit
        # events point at it, and the worklist's cache version relies on gaps only being added.
        return False


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


@admin.register(QueryTemplate)
class QueryTemplateAdmin(admin.ModelAdmin):
    """Templates are versioned: saving an edit creates the next version and retires the old one,
    so every sent query keeps pointing at the wording it was drafted from."""

    list_display = ("category", "condition", "version", "format", "purpose", "is_active", "created_at")
    list_filter = ("category", "is_active", "format")
    readonly_fields = ("version", "created_at", "created_by")

    def save_model(self, request, obj, form, change):
        if change:
            previous = QueryTemplate.objects.get(pk=obj.pk)
            QueryTemplate.objects.filter(category=previous.category, condition=previous.condition).update(
                is_active=False
            )
            obj.pk = None
            obj._state.adding = True
            obj.version = (
                QueryTemplate.objects.filter(category=obj.category, condition=obj.condition)
                .order_by("-version")
                .values_list("version", flat=True)
                .first()
                or 0
            ) + 1
            obj.is_active = True
        obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        return False
