from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("", views.coding_list, name="coding-list"),
    path("encounters/<int:encounter_id>/", views.coding_screen, name="coding-screen"),
    path("encounters/<int:encounter_id>/suggest/", views.request_suggestions, name="coding-suggest"),
    path("encounters/<int:encounter_id>/add/", views.add_code, name="coding-add"),
    path("encounters/<int:encounter_id>/search/", views.search_codes, name="coding-search"),
    path("encounters/<int:encounter_id>/complete/", views.complete, name="coding-complete"),
    path("encounters/<int:encounter_id>/reopen/", views.reopen, name="coding-reopen"),
    path("suggestions/<int:suggestion_id>/<str:action>/", views.suggestion_action, name="coding-action"),
]
