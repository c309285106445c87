from django.contrib import admin
from django.http import HttpRequest

from qiangji.web.excel.models import ImportBatch


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """Read-only: an import record is evidence and is never edited by hand."""

    list_display = ["uploaded_at", "actor", "source", "original_name", "table", "status", "error_count"]
    list_filter = ["status", "source", "table"]
    search_fields = ["original_name", "actor", "sha256"]
    date_hierarchy = "uploaded_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
