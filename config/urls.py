from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from cdi import api
from cdi import views as cdi_views
from cdi.accounts import LockoutAuthenticationForm

urlpatterns = [
    path("", cdi_views.home, name="home"),
    path("health", cdi_views.health, name="health"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=LockoutAuthenticationForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("notes/", cdi_views.note_list, name="note-list"),
    path("notes/new/", cdi_views.note_new, name="note-new"),
    path("notes/<int:note_id>/", cdi_views.note_detail, name="note-detail"),
    path("api/notes", api.notes, name="api-notes"),
    path("api/notes/<int:note_id>", api.note_detail, name="api-note"),
    path("admin/", admin.site.urls),
]
