"""ASGI entry point: HTTP, the /ws/ WebSocket, and (embedded default) the job runner."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Django must be set up before anything imports models (channels tutorial, part 2).
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from config import logging as log_redaction  # noqa: E402
from config.embedded import with_lifespan  # noqa: E402
from realtime.auth import JWTQueryStringAuthMiddleware  # noqa: E402
from realtime.routing import websocket_urlpatterns  # noqa: E402

# uvicorn configured its own loggers before loading us: redact tokens there too.
log_redaction.install()

application = with_lifespan(
    ProtocolTypeRouter(
        {
            "http": django_asgi_app,
            # JWT in the query string, not cookies: no cross-site socket hijacking,
            # so no origin check is needed.
            "websocket": JWTQueryStringAuthMiddleware(URLRouter(websocket_urlpatterns)),
        }
    )
)
