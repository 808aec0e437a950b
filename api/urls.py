from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import views_v0, views_v1

router = DefaultRouter()
router.register("jobs", views_v1.JobViewSet, basename="job")
router.register("summaries", views_v1.SummaryViewSet, basename="summary")
router.register("sites", views_v1.SiteViewSet, basename="site")

urlpatterns = [
    path("v0/summarize", views_v0.KagiSummarizeView.as_view(), name="kagi-summarize"),
    path("v0/summarize/<int:pk>", views_v0.KagiPollView.as_view(), name="kagi-poll"),
    path("v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("v1/", include(router.urls)),
]
