from django.urls import path

from qiangji.web.directory import proposal_views, views

app_name = "registry"
urlpatterns = [
    path("", views.home, name="home"),
    path("proposals/", proposal_views.queue, name="proposals"),
    path("proposals/<int:pk>/", proposal_views.proposal, name="proposal"),
    path("proposals/<int:pk>/accept/", proposal_views.accept, name="accept"),
    path("proposals/<int:pk>/reject/", proposal_views.reject, name="reject"),
    path("<str:code>/", views.institution, name="institution"),
    path("<str:code>/propose/<slug:kind>/", proposal_views.propose, name="propose"),
    path("<str:code>/propose/<slug:kind>/<int:pk>/", proposal_views.propose, name="propose_change"),
    path(
        "<str:code>/propose/<slug:kind>/<int:pk>/retire/",
        proposal_views.propose,
        {"retire": True},
        name="propose_retire",
    ),
    path("<str:code>/<slug:slug>.xlsx", views.export, name="export"),
    path("<str:code>/<slug:slug>/", views.section, name="section"),
]
