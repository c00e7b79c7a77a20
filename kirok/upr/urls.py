from django.urls import path

from . import views

app_name = "upr"
urlpatterns = [
    path("", views.cycles, name="cycles"),
    path("cycles/<int:number>/", views.cycle, name="cycle"),
    path("cycles/<int:number>/<str:paragraph>/", views.recommendation, name="recommendation"),
    path("cycles/<int:number>/<str:paragraph>/link/", views.link, name="link"),
    path("cycles/<int:number>/<str:paragraph>/assess/", views.assess, name="assess"),
    path("links/<uuid:uid>/close/", views.unlink, name="unlink"),
    path("submissions/", views.submission_list, name="submissions"),
    path("submissions/<uuid:uid>/", views.submission, name="submission"),
    path("submissions/<uuid:uid>/count/", views.word_count, name="word-count"),
    path("submissions/<uuid:uid>/export/<str:fmt>/", views.submission_export, name="submission-export"),
    path("briefing/", views.briefing, name="briefing"),
]
