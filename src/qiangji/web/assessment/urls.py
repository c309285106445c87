from django.urls import path

from qiangji.web.assessment.views import periods, reports, supervision

app_name = "assessment"
urlpatterns = [
    path("", periods.period_list, name="periods"),
    path("<str:code>/", periods.overview, name="overview"),
    path("<str:code>/review/", reports.review_queue, name="review"),
    path("<str:code>/lock/", reports.lock_period, name="lock_period"),
    path("<str:code>/template.xlsx", reports.excel_template, name="template"),
    path("<str:code>/upload/", reports.excel_upload, name="upload"),
    path("<str:code>/visits/", supervision.visit_list, name="visits"),
    path("<str:code>/report/<str:inst>/", reports.report_form, name="report"),
    path("<str:code>/cell/<str:inst>/<str:indicator>/", reports.cell_detail, name="cell"),
    path("reports/<int:pk>/review/", reports.review_action, name="review_action"),
    path("evidence/<int:pk>/", reports.evidence_file, name="evidence"),
    path("visits/<int:pk>/", supervision.visit_detail, name="visit"),
    path("visits/<int:pk>/findings/", supervision.add_finding, name="add_finding"),
    path("findings/<int:pk>/rectify/", supervision.submit_rectification, name="rectify"),
    path("rectifications/<int:pk>/review/", supervision.review_rectification, name="review_rectification"),
]
