"""The task queue's own admin (django-tasks-db registers its result rows) is taken off the admin site.

Jobs are followed on their own pages (`/jobs/<id>/`, with who started them and their progress); a queue row
edited or deleted by hand in the admin would change a computation behind the workflow's back. The admin
app loads every app's admin module in INSTALLED_APPS order, django_tasks_db's before this one.
"""

from django.contrib import admin
from django_tasks_db.models import DBTaskResult

if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)
