from django.urls import path

from . import views

app_name = "linkage"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("pairs/<int:pk>/", views.pair, name="pair"),
    path("clusters/<str:ref>/", views.cluster, name="cluster"),
]
