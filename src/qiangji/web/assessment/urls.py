from django.urls import path

from qiangji.web.assessment.views import certificate_audit, periods, reports, review, supervision, upload

app_name = "assessment"
urlpatterns = [
    path("", periods.period_list, name="periods"),
    path("open/", periods.open_period, name="open_period"),
    path("<str:code>/", periods.overview, name="overview"),
    path("<str:code>/review/", review.review_queue, name="review"),
    path("<str:code>/review/bulk/", review.review_bulk, name="review_bulk"),
    path("<str:code>/lock/", review.lock_period, name="lock_period"),
    path("<str:code>/template.xlsx", upload.excel_template, name="template"),
    path("<str:code>/upload/", upload.excel_upload, name="upload"),
    path("<str:code>/visits/", supervision.visit_list, name="visits"),
    path("<str:code>/report/<str:inst>/", reports.report_form, name="report"),
    path("<str:code>/cell/<str:inst>/<str:indicator>/", reports.cell_detail, name="cell"),
    path(
        "<str:code>/certificates/<str:inst>/",
        certificate_audit.certificate_failures,
        name="certificate_failures",
    ),
    path(
        "<str:code>/certificates/<str:inst>/failures.xlsx",
        certificate_audit.certificate_failures_xlsx,
        name="certificate_failures_xlsx",
    ),
    path("reports/<int:pk>/review/", review.review_action, name="review_action"),
    path("evidence/<int:pk>/", reports.evidence_file, name="evidence"),
    path("evidence/<int:pk>/preview/", reports.evidence_preview, name="evidence_preview"),
    path("visits/<int:pk>/", supervision.visit_detail, name="visit"),
    path("visits/<int:pk>/findings/", supervision.add_finding, name="add_finding"),
    path("findings/<int:pk>/rectify/", supervision.submit_rectification, name="rectify"),
    path("rectifications/<int:pk>/review/", supervision.review_rectification, name="review_rectification"),
]
