"""ASGI entry point (uvicorn waybrief.asgi:application), for streamed pages."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waybrief.settings")
application = get_asgi_application()
