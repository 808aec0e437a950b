"""ASGI entry point: what `manage.py serve` runs under uvicorn, for every page.

Live streams are async views (summarizer/streams.py), so one waiting viewer
is a coroutine, not a thread; the other views run in threads as under WSGI.
"""

import os
import warnings

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waybrief.settings")
# WhiteNoise answers static files with a file iterator that Django reads whole
# under ASGI, and warns each time; they are small, so say nothing.
warnings.filterwarnings(
    "ignore", message="StreamingHttpResponse must consume synchronous iterators"
)
application = get_asgi_application()
