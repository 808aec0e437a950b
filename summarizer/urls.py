from django.urls import path

from . import views

urlpatterns = [
    path("summarize", views.summarize_page, name="summarize"),
    path("s/<int:pk>", views.summary_detail, name="summary"),
    path("s/<int:pk>/events", views.summary_events, name="summary-events"),
    path("s/<int:pk>/status.json", views.summary_status, name="summary-status"),
    path("archive", views.archive_page, name="archive-page"),
]
