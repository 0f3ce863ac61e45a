"""The desk's two static files: its stylesheet and the run page's small script (no inline script or style anywhere)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from bantin.paths import ASSETS_DIR

__all__ = ["routes"]

FILES = {
    "desk.css": (ASSETS_DIR / "css" / "desk.css", "text/css; charset=utf-8"),
    "desk-run.js": (ASSETS_DIR / "js" / "desk-run.js", "text/javascript; charset=utf-8"),
}


async def static_file(request: Request) -> Response:
    found = FILES.get(request.path_params["name"])
    if found is None:
        return Response("Not found", status_code=404, media_type="text/plain")
    path, media_type = found
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": "no-cache"})


def routes() -> list[Route]:
    return [Route("/static/{name:str}", static_file, methods=["GET", "HEAD"])]
