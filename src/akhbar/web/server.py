"""Running the site with uvicorn: in the foreground (`akhbar serve`) or beside the demo's
crawler in a thread (uvicorn leaves signal handling to the main thread then)."""

from __future__ import annotations

import threading
import time

import uvicorn

from akhbar.config import Settings
from akhbar.errors import ConfigError


def _config(settings: Settings, host: str, port: int, app=None) -> uvicorn.Config:
    from akhbar.web.app import create_app

    return uvicorn.Config(app or create_app(settings), host=host, port=port, lifespan="on",
                          log_level=str(settings.log_level).lower(), access_log=False,
                          server_header=False, proxy_headers=False)


def serve(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    """Serve until interrupted."""
    uvicorn.Server(_config(settings, host or settings.web_host,
                           settings.web_port if port is None else port)).run()


class BackgroundSite:
    """The site in a daemon thread; ``url`` once started, ``stop()`` to end it. Port 0
    takes a free port (known after start). ``app``: an app already built (tests)."""

    def __init__(self, settings: Settings, host: str | None = None, port: int | None = None,
                 app=None):
        self.host = host or settings.web_host
        self.port = settings.web_port if port is None else port
        self.server = uvicorn.Server(_config(settings, self.host, self.port, app))
        self.thread = threading.Thread(target=self.server.run, name="akhbar-site", daemon=True)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def start(self, timeout: float = 15.0) -> BackgroundSite:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise ConfigError(f"the site could not listen on {self.host}:{self.port} "
                                  "(port in use? try --web-port)")
            time.sleep(0.02)
        if self.port == 0:
            self.port = self.server.servers[0].sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
