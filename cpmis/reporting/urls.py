from django.urls import URLPattern, path

from . import api, views

app_name = "reporting"
urlpatterns: list[URLPattern] = [
    path("", views.edition_list, name="list"),
    path("compare/", views.compare, name="compare"),
    path("<int:edition_id>/", views.edition_page, name="edition"),
    path("<int:edition_id>/status", views.edition_status, name="status"),
    path("<int:edition_id>/sections/<str:section>/edit", views.section_edit, name="edit"),
    path("<int:edition_id>/sections/<str:section>/history", views.section_history, name="history"),
    path("<int:edition_id>/sections/<str:section>/comment", views.comment_add, name="comment"),
    path(
        "<int:edition_id>/comments/<int:comment_id>/resolve",
        views.comment_resolve,
        name="resolve",
    ),
    path("<int:edition_id>/report.docx", views.report_docx, name="docx"),
    path("<int:edition_id>/report.pdf", views.report_pdf, name="pdf"),
    path("<int:edition_id>/annex.xlsx", views.report_annex, name="annex"),
    path("<int:edition_id>/prepare", views.report_prepare, name="prepare"),
]
api_urlpatterns: list[URLPattern] = [
    path("", api.EditionList.as_view(), name="editions"),
    path("<int:edition_id>/", api.EditionDetail.as_view(), name="edition"),
    path("<int:edition_id>/status/", api.EditionStatus.as_view(), name="status"),
    path(
        "<int:edition_id>/sections/<str:section>/versions/",
        api.SectionVersions.as_view(),
        name="versions",
    ),
    path("<int:edition_id>/sections/<str:section>/diff/", api.SectionDiff.as_view(), name="diff"),
    path(
        "<int:edition_id>/sections/<str:section>/comments/",
        api.SectionComments.as_view(),
        name="comments",
    ),
    path(
        "<int:edition_id>/comments/<int:comment_id>/resolve/",
        api.CommentResolve.as_view(),
        name="resolve",
    ),
    path("<int:edition_id>/report.docx", api.ReportDocx.as_view(), name="docx"),
    path("<int:edition_id>/report.pdf", api.ReportPdf.as_view(), name="pdf"),
    path("<int:edition_id>/annex.xlsx", api.ReportAnnex.as_view(), name="annex"),
]
