from django.urls import path

from . import home, streams, views

urlpatterns = [
    path("", home.home, name="home"),
    path("summarize", views.summarize_page, name="summarize"),
    # A summary's page is named by its unguessable token; the row id never leaves the server.
    path("s/<slug:token>", views.summary_detail, name="summary"),
    path("s/<slug:token>/events", streams.summary_events, name="summary-events"),
    path("s/<slug:token>/status.json", views.summary_status, name="summary-status"),
    path("s/<slug:token>/retry", views.retry_summary, name="summary-retry"),
]
