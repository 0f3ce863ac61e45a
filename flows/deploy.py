"""bantin's Prefect deployments, as ``bantin serve`` registers and serves them.

``publish-bulletin`` (the form: bulletin, locales, profiles, engine, force...)
and ``republish`` (cron schedules with their timezone from ``deployments.yaml``).
Entrypoints are module paths (``bantin.flows.flow.publish_bulletin``): the flows use
package-relative imports, so a file path would not load.  ``prefect.yaml``
declares the same deployments for work pools and workers.
"""

from __future__ import annotations

from typing import Any

from bantin.flows.flow import publish_bulletin, republish
from bantin.publish.deployments import DeploymentsConfig, load_config

__all__ = ["DEPLOYMENT_NAMES", "build_deployments"]

#: Deployment names; the UI shows them as ``<flow>/<deployment>``.
DEPLOYMENT_NAMES = ("publish-bulletin", "republish")


def build_deployments(config: DeploymentsConfig | None = None) -> list[Any]:
    """The two RunnerDeployments, schedules and timezone taken from the configuration file."""
    from prefect.schedules import Cron
    from prefect.types.entrypoint import EntrypointType

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
    return [publish, again]
