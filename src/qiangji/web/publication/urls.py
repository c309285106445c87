from django.urls import path

from qiangji.web.publication import audit_views, publish_views, views

app_name = "publication"
urlpatterns = [
    path("", views.leaderboard, name="leaderboard"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("charts/plotly.min.js", views.plotly_js, name="plotly_js"),
    path("scripts/<slug:name>.js", views.script, name="script"),
    path("publish/", publish_views.period_list, name="publish_list"),
    path("publish/<str:code>/", publish_views.period_page, name="publish"),
    path("publish/<str:code>/compute/", publish_views.compute, name="publish_compute"),
    path("publish/<str:code>/notice/", publish_views.notice, name="publish_notice"),
    path("publish/<str:code>/deadline/", publish_views.deadline, name="publish_deadline"),
    path("publish/<str:code>/final/", publish_views.final, name="publish_final"),
    path("publish/<str:code>/runs/<int:run>/audit/", audit_views.run_audit, name="run_audit"),
    path("publish/<str:code>/objection/", publish_views.lodge, name="lodge"),
    path("objections/<int:pk>/answer/", publish_views.answer, name="answer"),
    path("objections/<int:pk>/evidence/", publish_views.objection_evidence, name="objection_evidence"),
    path("rankings/<str:period>/", views.leaderboard, name="period"),
    path("rankings/<str:period>/ranking.xlsx", views.ranking_xlsx, name="ranking_xlsx"),
    path("rankings/<str:period>/bulletin.pdf", views.bulletin_pdf, name="bulletin_pdf"),
    path("rankings/<str:period>/bulletin.docx", views.bulletin_docx, name="bulletin_docx"),
    path("rankings/<str:period>/methodology/", views.methodology, name="methodology"),
    path("rankings/<str:period>/methodology.pdf", views.methodology_pdf, name="methodology_pdf"),
    path("rankings/<str:period>/<str:unit>/", views.scorecard, name="scorecard"),
    path("rankings/<str:period>/<str:unit>/profile.pdf", views.profile_pdf, name="profile_pdf"),
]
