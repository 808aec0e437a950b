from django.urls import path

from . import views

app_name = "library"

urlpatterns = [
    path("", views.library, name="search"),
    path("sites/<int:pk>/export.<str:fmt>", views.site_export, name="site-export"),
]
