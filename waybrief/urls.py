from django.contrib import admin
from django.urls import include, path

from sites.views import archive_blog, archive_page

from . import views

urlpatterns = [
    path("status", views.status, name="status"),
    path("status/ping", views.ping_worker, name="ping-worker"),
    path("healthz", views.healthz, name="healthz"),
    path("sites/archive", archive_blog, name="archive-blog"),
    path("archive", archive_page, name="archive-page"),
    path("admin/", admin.site.urls),
    path("", include("summarizer.urls")),
    path("api/", include("api.urls")),
]
