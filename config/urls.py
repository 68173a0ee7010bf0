from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from cdi import api, finance_views, query_views
from cdi import views as cdi_views
from cdi.accounts import LockoutAuthenticationForm

urlpatterns = [
    path("", cdi_views.home, name="home"),
    path("health", cdi_views.health, name="health"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=LockoutAuthenticationForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("notes/", cdi_views.note_list, name="note-list"),
    path("notes/new/", cdi_views.note_new, name="note-new"),
    path("notes/<int:note_id>/", cdi_views.note_detail, name="note-detail"),
    path("worklist/", cdi_views.worklist, name="worklist"),
    path("encounters/<int:encounter_id>/", cdi_views.encounter_detail, name="encounter-detail"),
    path("gaps/<int:gap_id>/query/", query_views.query_draft, name="query-draft"),
    path("gaps/<int:gap_id>/<str:action>/", cdi_views.gap_action, name="gap-action"),
    path("queries/<int:query_id>/", query_views.query_detail, name="query-detail"),
    path("queries/<int:query_id>/send/", query_views.query_send, name="query-send"),
    path("queries/<int:query_id>/withdraw/", query_views.query_withdraw, name="query-withdraw"),
    path("physician/queries/", query_views.physician_inbox, name="physician-inbox"),
    path("physician/queries/<int:query_id>/", query_views.physician_query, name="physician-query"),
    path("q/<str:token>/", query_views.query_answer, name="query-answer"),
    path("finance/", finance_views.dashboard, name="finance-dashboard"),
    path("finance/<str:table>.csv", finance_views.export_csv, name="finance-csv"),
    path("finance/roi/", finance_views.roi, name="finance-roi"),
    path("api/notes", api.notes, name="api-notes"),
    path("api/notes/<int:note_id>", api.note_detail, name="api-note"),
    path("", include("ehr.urls")),
    path("coding/", include("coding.urls")),
    path("admin/", admin.site.urls),
]
