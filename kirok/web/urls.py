from django.urls import path

from . import display, views

app_name = "web"
urlpatterns = [
    path("", views.landing, name="landing"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("testimonies/new/", views.testimony_new, name="testimony-new"),
    path("incidents/new/", views.incident_new, name="incident-new"),
    path("evidence/upload/", views.evidence_upload, name="evidence-upload"),
    path("evidence/<uuid:uid>/", views.evidence_item, name="evidence"),
    path("gazetteer/lookup/", views.place_lookup, name="picker"),
]
for record_type, view in views.LIST_VIEWS.items():
    urlpatterns.append(path(f"{display.PLURAL[record_type]}/", view, name=display.PLURAL[record_type]))
for record_type, (page, history, reveal) in views.RECORD_VIEWS.items():
    plural = display.PLURAL[record_type]
    urlpatterns += [
        path(f"{plural}/<uuid:uid>/", page, name=record_type),
        path(f"{plural}/<uuid:uid>/history/", history, name=f"{record_type}-history"),
        path(f"{plural}/<uuid:uid>/reveal/", reveal, name=f"{record_type}-reveal"),
    ]
