"""The sites pages, under /sites/ (waybrief/urls.py includes them)."""

from django.urls import path

from .pages import feed, views

app_name = "sites"

urlpatterns = [
    path("", views.site_list, name="list"),
    path("add", views.site_add, name="add"),
    path("events", feed.sites_events, name="events"),
    path("<int:pk>/", views.site_detail, name="detail"),
    path("<int:pk>/events", feed.site_events, name="site-events"),
    path("<int:pk>/copy", views.post_copy, name="copy"),
    path("<int:pk>/<slug:action>", views.site_action, name="action"),
]
