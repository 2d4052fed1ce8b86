from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.api import HealthView, MeView
from config.auth import RefreshView, TokenView

api_v1 = [
    path("auth/token/", TokenView.as_view(), name="token_obtain_pair"),
    path("auth/token/refresh/", RefreshView.as_view(), name="token_refresh"),
    path("auth/me/", MeView.as_view(), name="auth_me"),
    path("hotset/", include("hotset.api.urls")),
    path("runofshow/", include("runofshow.api.urls")),
    path("rotations/", include("rotations.api.urls")),
    path("publishing/", include("publishing.api.urls")),
]

urlpatterns = [
    path("", RedirectView.as_view(url="/dash/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("healthz", HealthView.as_view(), name="healthz"),
    path("dash/", include("config.pages")),
    path("dash/hotset/", include("hotset.urls")),
    path("dash/runofshow/", include("runofshow.urls")),
    path("stage/", include("runofshow.stage_urls")),
    path("dash/publishing/", include("publishing.urls")),
    path("dash/rotations/", include("rotations.urls")),
]

handler400 = "config.errors.json_400"
handler403 = "config.errors.json_403"
handler404 = "config.errors.json_404"
handler500 = "config.errors.json_500"

admin.site.site_header = "Setdesk"
admin.site.site_title = "Setdesk"
admin.site.index_title = "Back office"
