from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.cases, name="cases"),
    path("command/", views.chain_of_command, name="command"),
    path("command/unit-parents/", views.unit_parent_new, name="unit-parent-new"),
    path("command/facility-operators/", views.facility_operator_new, name="facility-operator-new"),
    path("dossiers/person/<uuid:uid>/", views.person_dossier, name="person-dossier"),
    path("dossiers/organization/<uuid:uid>/", views.organization_dossier, name="organization-dossier"),
    path("suspects/<uuid:uid>/", views.suspect, name="suspect"),
    path("links/<uuid:uid>/", views.link, name="link"),
    path("links/<uuid:uid>/withdraw/", views.link_remove, name="link-withdraw"),
    path("<uuid:uid>/", views.case, name="case"),
    path("<uuid:uid>/links/", views.link_new, name="link-new"),
    path("<uuid:uid>/suspects/", views.suspect_new, name="suspect-new"),
    path("<uuid:uid>/charges/", views.charges_edit, name="charges-edit"),
    path("<uuid:uid>/case-file/", views.case_file, name="case-file"),
]
