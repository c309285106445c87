from django.urls import path

from qiangji.web.comparisons import views, views_competitions

app_name = "comparisons"
urlpatterns = [
    path("", views.round_list, name="list"),
    path("competitions/", views_competitions.competition_list, name="competitions"),
    path("competitions/<int:pk>/", views_competitions.competition_detail, name="competition"),
    path("institutions/<str:code>/", views_competitions.institution_results, name="institution_results"),
    path("<str:code>/", views.round_detail, name="round"),
    path("<str:code>/submit/", views.submit, name="submit"),
    path("<str:code>/protocol/", views.protocol, name="protocol"),
    path("<str:code>/evaluate/", views.evaluate, name="evaluate"),
    path("<str:code>/results.xlsx", views.submissions_xlsx, name="submissions_xlsx"),
    path("<str:code>/report.xlsx", views.report_xlsx, name="report_xlsx"),
    path("<str:code>/report.pdf", views.report_pdf, name="report_pdf"),
    path("<str:code>/chart-<int:order>.svg", views.chart_svg, name="chart"),
    path("<str:code>/<str:action>/", views.transition, name="transition"),
]
