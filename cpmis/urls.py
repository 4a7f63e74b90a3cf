from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from cpmis.accounts import urls as accounts_urls
from cpmis.audit import urls as audit_urls
from cpmis.cases import urls as cases_urls
from cpmis.complaints import urls as complaints_urls
from cpmis.core import views as core_views
from cpmis.exchange import urls as exchange_urls
from cpmis.field import urls as field_urls
from cpmis.indicators import urls as indicators_urls
from cpmis.jobs import urls as jobs_urls
from cpmis.legal import urls as legal_urls
from cpmis.linkage import urls as linkage_urls
from cpmis.metrics import metrics as metrics_view
from cpmis.oversight import urls as oversight_urls
from cpmis.people import urls as people_urls
from cpmis.reference import urls as reference_urls
from cpmis.reporting import urls as reporting_urls

api_patterns: list[URLPattern | URLResolver] = [
    path("auth/", include((accounts_urls.api_urlpatterns, "accounts-api"))),
    path("users/", include((accounts_urls.users_api_urlpatterns, "users-api"))),
    path("children/", include((people_urls.api_urlpatterns, "people-api"))),
    path("merges/", include((people_urls.merge_api_urlpatterns, "merges-api"))),
    path("cases/", include((cases_urls.api_urlpatterns, "cases-api"))),
    path("tasks/", include((cases_urls.task_api_urlpatterns, "tasks-api"))),
    path("transfers/", include((cases_urls.transfer_api_urlpatterns, "transfers-api"))),
    path("complaints/", include((complaints_urls.api_urlpatterns, "complaints-api"))),
    path("exchange/", include((exchange_urls.api_urlpatterns, "exchange-api"))),
    path("linkage/", include((linkage_urls.api_urlpatterns, "linkage-api"))),
    path("institutions/", include((cases_urls.institution_api_urlpatterns, "institutions-api"))),
    path("audit/", include((audit_urls.api_urlpatterns, "audit-api"))),
    path("reference/", include((reference_urls.api_urlpatterns, "reference-api"))),
    path("legal/", include((legal_urls.api_urlpatterns, "legal-api"))),
    path("indicators/", include((indicators_urls.api_urlpatterns, "indicators-api"))),
    path("oversight/", include((oversight_urls.api_urlpatterns, "oversight-api"))),
    path("reports/", include((reporting_urls.api_urlpatterns, "reporting-api"))),
    path("jobs/", include((jobs_urls.api_urlpatterns, "jobs-api"))),
    path("field/", include((field_urls.api_urlpatterns, "field-api"))),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file, so the page needs no inline script.
    # No OPTIONS on the page: DRF's metadata would render it with the page's template (a 500).
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", metadata_class=None),
        name="api-docs",
    ),
]

urlpatterns = [
    path("metrics", metrics_view, name="metrics"),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("accounts/", include("cpmis.accounts.urls")),
    path("children/", include("cpmis.people.urls")),
    path("cases/", include("cpmis.cases.urls")),
    path("complaints/", include("cpmis.complaints.urls")),
    path("complaint/", include((complaints_urls.public_urlpatterns, "public"))),
    path("exchange/", include("cpmis.exchange.urls")),
    path("linkage/", include("cpmis.linkage.urls")),
    path("audit/", include("cpmis.audit.urls")),
    path("reference/", include("cpmis.reference.urls")),
    path("legal/", include("cpmis.legal.urls")),
    path("indicators/", include("cpmis.indicators.urls")),
    path("oversight/", include("cpmis.oversight.urls")),
    path("reports/", include("cpmis.reporting.urls")),
    path("notifications/", include("cpmis.notifications.urls")),
    path("jobs/", include("cpmis.jobs.urls")),
    path("field/", include("cpmis.field.urls")),
    path("api/", include(api_patterns)),
    path("", include("cpmis.core.urls")),
]

handler400 = "cpmis.core.views.bad_request"
handler403 = "cpmis.core.views.permission_denied"
handler404 = "cpmis.core.views.page_not_found"
handler500 = "cpmis.core.views.server_error"
