"""WSGI entry point, for servers that speak only WSGI; `manage.py serve` runs the ASGI one."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waybrief.settings")
application = get_wsgi_application()
