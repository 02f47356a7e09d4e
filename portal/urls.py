from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from . import health, views, views_login_code, views_validation

# The admin carries the product's name, translated ("Fairdue 管理"), not Django's.
admin.site.site_header = _("Fairdue administration")
admin.site.site_title = _("Fairdue administration")
admin.site.index_title = _("Administration")

customer_patterns: list[URLPattern | URLResolver] = [
    path("", views.dashboard, name="dashboard"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract"),
    path("contracts/<int:pk>/pay/", views.pay, name="pay"),
    path("contracts/<int:pk>/plan/", views.plan_request, name="plan_request"),
    path("contracts/<int:pk>/validation/", views_validation.validation_notice, name="validation_notice"),
    path("contracts/<int:pk>/validation.pdf", views_validation.validation_notice_pdf, name="validation_notice_pdf"),
    path("messages/", views.inbox, name="messages"),
    path("messages/<int:pk>/", views.message_detail, name="message"),
    path("messages/<int:pk>/letter.pdf", views.message_letter, name="message_letter"),
    path("preferences/", views.preferences, name="preferences"),
    path("preferences/electronic-delivery/", views_validation.electronic_delivery, name="electronic_delivery"),
    path(
        "preferences/electronic-delivery/withdraw/",
        views_validation.electronic_delivery_withdraw,
        name="electronic_delivery_withdraw",
    ),
    path("visits/", views.visits, name="visits"),
    path("visits/<int:pk>/call-instead/", views.visit_call_instead, name="visit_call_instead"),
    path("appeals/", include("appeals.urls")),
]
portal_patterns = (customer_patterns, "portal")

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("", views.home, name="home"),
    path("me/", include(portal_patterns)),
    path("accounts/login/code/", views_login_code.login_code_request, name="login_code"),
    path("accounts/login/code/verify/", views_login_code.login_code_verify, name="login_code_verify"),
    path("accounts/", include("accounts.urls")),
    path("staff/", include("cases.urls")),
    path("notices/", include("notices.urls")),
    path("pay/", include("payments.urls")),
    path("i18n/setlang/", views.language_switch, name="set_language"),
    # The admin signs in through our login page (lockout, audit, 2FA).
    path("admin/login/", RedirectView.as_view(pattern_name="accounts:login", query_string=True)),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("api/v1/cases/", include("appeals.api_urls")),
    path("api/v1/", include(("portal.api_urls", "api"))),
]

handler400 = "portal.views_errors.bad_request"
handler403 = "portal.views_errors.permission_denied"
handler404 = "portal.views_errors.page_not_found"
handler500 = "portal.views_errors.server_error"
