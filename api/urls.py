from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import views_v0, views_v1
from .auth import CurrentTokenView

# Every documented path answers as written, with or without its trailing
# slash: a POST to /api/v1/jobs must not be redirected (the body would be lost).
router = DefaultRouter()
router.trailing_slash = "/?"  # a regex: DRF's trailing_slash=True would mean "/" only
router.register("jobs", views_v1.JobViewSet, basename="job")
router.register("summaries", views_v1.SummaryViewSet, basename="summary")
router.register("sites", views_v1.SiteViewSet, basename="site")

urlpatterns = [
    path("v0/summarize", views_v0.summarize, name="kagi-summarize"),
    path("v0/summarize/", views_v0.summarize_with_slash),
    path("v0/summarize/<str:id>", views_v0.poll, name="kagi-poll"),
    path("v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("v1/tokens/current", CurrentTokenView.as_view(), name="token-current"),
    path("v1/", include(router.urls)),
]
