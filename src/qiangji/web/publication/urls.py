from django.urls import path

from qiangji.web.publication import views

app_name = "publication"
urlpatterns = [
    path("", views.leaderboard, name="leaderboard"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("charts/plotly.min.js", views.plotly_js, name="plotly_js"),
    path("scripts/<slug:name>.js", views.script, name="script"),
    path("rankings/<str:period>/", views.leaderboard, name="period"),
    path("rankings/<str:period>/ranking.xlsx", views.ranking_xlsx, name="ranking_xlsx"),
    path("rankings/<str:period>/bulletin.pdf", views.bulletin_pdf, name="bulletin_pdf"),
    path("rankings/<str:period>/<str:unit>/", views.scorecard, name="scorecard"),
    path("rankings/<str:period>/<str:unit>/profile.pdf", views.profile_pdf, name="profile_pdf"),
]
