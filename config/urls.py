from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import JavaScriptCatalog, set_language

from kehoach.accounts.admin_site import gate_admin_site
from kehoach.api import problems as api_problems
from kehoach.geo import views as geo_views

gate_admin_site(admin.site)

urlpatterns = [
    path("", geo_views.home, name="home"),
    path("accounts/", include("kehoach.accounts.urls")),
    path("units/", include("kehoach.geo.urls")),
    path("", include("kehoach.plans.urls")),
    path("", include("kehoach.synthesis.urls")),
    path("", include("kehoach.exchange.urls")),
    path("", include("kehoach.monitoring.urls")),
    path("", include("kehoach.midterm.urls")),
    path("", include("kehoach.portal.urls")),
    path("notifications/", include("kehoach.approvals.urls")),
    path("jobs/", include("kehoach.jobs.urls")),
    path("api/v1/", include("kehoach.api.urls")),
    re_path(r"^api/", api_problems.not_found),  # no such endpoint: a problem, not a page
    # the language form carries no token: a page then is the same for every visitor without an
    # account, and can be kept (portal.stored.shared); choosing a language changes nothing else
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:  # pragma: no cover - development only
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "kehoach.api.problems.handler404"  # a problem under /api/, else the page
handler403 = "kehoach.core.views.forbidden"
handler500 = "kehoach.api.problems.handler500"
