"""The JSON API (django-ninja) under ``/api/v1/``: bearer tokens, the accounts policy, one error shape."""
