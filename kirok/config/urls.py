from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("kirok.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("search/", include("kirok.search.urls")),
    path("", include("kirok.web.urls")),
]
