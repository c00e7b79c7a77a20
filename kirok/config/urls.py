from django.contrib import admin
from django.urls import include, path

from kirok.api.main import api
from kirok.protection.pages import API_SESSION
from kirok.web.rules import declare

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("kirok.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("search/", include("kirok.search.urls")),
    path("linkage/", include("kirok.linkage.urls")),
    path("cases/", include("kirok.cases.urls")),
    path("upr/", include("kirok.upr.urls")),
    path("api/", declare(api.urls, API_SESSION)),
    path("", include("kirok.web.urls")),
]
