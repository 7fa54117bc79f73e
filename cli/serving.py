"""`serve` subcommand: the HTTP API and search page on uvicorn."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path


def add_commands(commands) -> None:
    serve = commands.add_parser("serve", help="serve the HTTP API and the search page")
    serve.add_argument("--index", type=Path, default=None, help="index directory (default: POLICY_SEARCH_INDEX_DIR or var/index)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--model", default=None, help="built-in embedding model: e5-small-stard (default) or e5-small")
    serve.add_argument("--model-dir", type=Path, default=None)
    serve.add_argument("--threads", type=int, default=None)
    serve.add_argument("--backend", choices=("local", "milvus"), default=None, help="search engine (default: POLICY_SEARCH_BACKEND or local)")
    serve.add_argument("--milvus-uri", default=None, help="Milvus server or Milvus Lite file (default: POLICY_SEARCH_MILVUS_URI)")
    serve.set_defaults(run=run_serve)


# requests uvicorn's HTTP parser refuses get the error shape too
UVICORN_OPTIONS = {"log_level": "warning", "access_log": False, "http": "service.middleware:JSONErrorHttpToolsProtocol"}


def ready_server(app, host: str, port: int, on_ready: Callable[[], None]):
    """A uvicorn server that calls `on_ready` once its port is open: after the app's start-up (index and model
    loaded), so whoever reads "serving" can send a request at once."""
    import uvicorn

    class ReadyServer(uvicorn.Server):
        async def startup(self, sockets=None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                on_ready()

    return ReadyServer(uvicorn.Config(app, host=host, port=port, **UVICORN_OPTIONS))


def run_serve(args) -> int:
    from service.app import create_app
    from service.settings import Settings

    given = {"index_dir": args.index, "model": args.model, "model_dir": args.model_dir, "threads": args.threads,
             "backend": args.backend or ("milvus" if args.milvus_uri else None), "milvus_uri": args.milvus_uri}
    overrides = {k: v for k, v in given.items() if v}
    settings = Settings(**overrides)
    logging.basicConfig(level=os.environ.get("POLICY_SEARCH_LOG_LEVEL", "INFO"), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    print(f"loading {settings.index_dir} and its embedding model …", flush=True)
    url = f"http://{args.host}:{args.port}/"
    server = ready_server(create_app(settings), args.host, args.port,
                          lambda: print(f"serving {settings.index_dir} on {url} (API docs at /docs)", flush=True))
    server.run()
    return 0 if server.started else 1
