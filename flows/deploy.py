"""bantin's Prefect deployments, as ``bantin serve`` registers and serves them.

``publish-bulletin`` (the form: bulletin, locales, profiles, engine, force...),
``republish`` (cron schedules with their timezone from ``deployments.yaml``) and
``add-bulletin`` (pasted text, a saved page or a URL, then publish).  Their
forms are the JSON schemas of the flows' one typed parameter
(:mod:`bantin.publish.request`): Vietnamese titles, and the choices computed
when the deployments are built.  So the list of bulletins is the one of
``content/`` when ``bantin serve`` started: restart it (or re-run ``prefect
deploy`` for work pools) to list a bulletin added since; the desk, planned
next, will be the operators' way in.  Entrypoints are module paths (``bantin.flows.flow.publish_bulletin``): the flows use
package-relative imports, so a file path would not load.  ``prefect.yaml``
declares the same deployments for work pools and workers.
"""

from __future__ import annotations

import _thread
import threading
import time
from collections.abc import Callable
from typing import Any

from bantin.errors import ServerUnavailableError as ServeError
from bantin.flows.flow import publish_bulletin, republish
from bantin.publish.deployments import DeploymentsConfig, load_config

__all__ = ["DEPLOYMENT_NAMES", "ServeError", "build_deployments", "serve_deployments", "wait_for_api"]

#: Deployment names; the UI shows them as ``<flow>/<deployment>``.
DEPLOYMENT_NAMES = ("publish-bulletin", "republish", "add-bulletin")


def build_deployments(config: DeploymentsConfig | None = None) -> list[Any]:
    """The RunnerDeployments, schedules and timezone taken from the configuration file, forms in Vietnamese."""
    from prefect.schedules import Cron
    from prefect.types.entrypoint import EntrypointType

    from bantin.flows.add import add_bulletin

    config = config or load_config()
    publish = publish_bulletin.to_deployment(
        name="publish-bulletin",
        description="Publish one bulletin as localized PDFs and loudspeaker readings. Fill in the form and press Run.",
        tags=["bantin"],
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    again = republish.to_deployment(
        name="republish",
        description=(
            "Republish every bulletin in content/ whose content, translations or templates changed, "
            f"or whose republication window is due. Schedules from {config.path.name} ({config.timezone})."
        ),
        tags=["bantin"],
        schedules=[Cron(cron, timezone=config.timezone) for cron in config.schedules],
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    add = add_bulletin.to_deployment(
        name="add-bulletin",
        description=(
            "Thêm bản tin: dán nội dung, hoặc nhập đường dẫn trang .html đã lưu, hoặc địa chỉ trang tin; "
            "bantin lưu content/<id>.yaml rồi xuất bản như publish-bulletin."
        ),
        tags=["bantin"],
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    return [publish, again, add]


def wait_for_api(api_url: str, attempts: int = 8, first_delay_s: float = 0.5, say: Callable[[str], None] = print) -> None:
    """Wait for the Prefect API's health endpoint, with bounded retries and exponential backoff."""
    import httpx

    delay = first_delay_s
    for attempt in range(1, attempts + 1):
        try:
            if httpx.get(f"{api_url.rstrip('/')}/health", timeout=3.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if attempt < attempts:
            say(f"bantin serve: waiting for the Prefect API at {api_url} (try {attempt}/{attempts}, next in {delay:.1f} s)")
            time.sleep(delay)
            delay = min(delay * 2, 8.0)
    raise ServeError(
        f"{api_url}: no Prefect API answered after {attempts} tries. Start the server first (bantin up, or make ui), or point PREFECT_API_URL at a running one"
    )


def _watch(api_url: str, stop: threading.Event, lost: threading.Event, every_s: float = 5.0, misses: int = 3) -> None:
    """Set ``lost`` when the API stops answering ``misses`` times in a row."""
    import httpx

    missed = 0
    while not stop.wait(every_s):
        try:
            healthy = httpx.get(f"{api_url.rstrip('/')}/health", timeout=3.0).status_code == 200
        except httpx.HTTPError:
            healthy = False
        missed = 0 if healthy else missed + 1
        if missed >= misses:
            lost.set()
            _thread.interrupt_main()
            return


def serve_deployments(limit: int | None = None, pause_on_shutdown: bool = False, say: Callable[[str], None] = print) -> None:
    """Serve bantin's deployments to the Prefect server at ``PREFECT_API_URL`` until Ctrl-C or the server goes away.

    Schedules stay active when serving stops (``pause_on_shutdown`` pauses them,
    as the operator asks): the next ``bantin serve`` picks them up again.
    """
    from prefect import serve as prefect_serve
    from prefect.settings import get_current_settings

    api_url = get_current_settings().api.url
    if not api_url:
        raise ServeError(
            "PREFECT_API_URL is not set, so there is no Prefect server to serve the deployments to. "
            "Start one with 'make ui' (or 'prefect server start'), then run: export PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
    config = load_config()
    wait_for_api(api_url, say=say)
    say(
        f"bantin serve: deployments publish-bulletin, add-bulletin and republish ({', '.join(config.schedules)} {config.timezone}) "
        f"on {api_url}; open the UI and press Run (Ctrl+C to stop; restart to list bulletins added to content/ since)"
    )
    stop, lost = threading.Event(), threading.Event()
    watchdog = threading.Thread(target=_watch, args=(api_url, stop, lost), name="bantin-serve-watchdog", daemon=True)
    watchdog.start()
    try:
        prefect_serve(*build_deployments(config), limit=limit, print_starting_message=False, pause_on_shutdown=pause_on_shutdown and not lost.is_set())
    except KeyboardInterrupt:
        if not lost.is_set():
            raise
    finally:
        stop.set()
    if lost.is_set():
        raise ServeError(f"{api_url}: the Prefect server went away; stopped serving. Start it again, then run bantin serve")
