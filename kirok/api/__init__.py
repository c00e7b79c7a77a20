"""Kirok's HTTP API (django-ninja), mounted at /api/: see ``kirok.api.main``."""
