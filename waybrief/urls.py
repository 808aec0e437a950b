from django.contrib import admin
from django.contrib.auth.views import LoginView, LogoutView
from django.urls import include, path

from sites.views import archive_blog, archive_page

from . import views

urlpatterns = [
    path("status", views.status, name="status"),
    path("status/ping", views.ping_worker, name="ping-worker"),
    path("healthz", views.healthz, name="healthz"),
    path("sites/archive", archive_blog, name="archive-blog"),
    path("sites/", include("sites.urls")),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path("archive", archive_page, name="archive-page"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the page's language switch
    path("library/", include("library.urls")),
    path("", include("summarizer.urls")),
    path("api/", include("api.urls")),
]
