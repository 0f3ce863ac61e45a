"""One publish of a bulletin at a time, across every worker: a Prefect global concurrency limit per bulletin.

The bulletin's file lock (:meth:`bantin.publish.store.BulletinStore.locked`)
only excludes processes that share one machine's disk; two workers on two
machines publishing into one shared outputs folder would not see each other's
lock.  :func:`bulletin_slot` takes the one slot of the global concurrency limit
``bantin-bulletin-<id>`` (limit 1, created on first use) from the Prefect
server every worker talks to, so the second publish waits for the first, then
fails with the same one line as the file lock after ``BANTIN_LOCK_TIMEOUT``.

The slot is a lease the flow renews while it runs: a worker killed mid-publish
frees it when the lease runs out (300 s).  The limits show in the UI under
Concurrency.  Outside a flow run (tests calling ``.fn()``, no API) it does nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress

from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate, GlobalConcurrencyLimitUpdate
from prefect.concurrency.sync import concurrency
from prefect.context import FlowRunContext
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound
from prefect.logging import get_run_logger

from bantin.errors import PublishBusyError
from bantin.settings import lock_timeout

__all__ = ["LEASE_S", "SLOT_PREFIX", "bulletin_slot", "ensure_slot_limit", "release_abandoned_slots", "slot_name"]

#: How long a slot outlives a publish that stopped renewing it (a killed worker), in seconds.
LEASE_S = 300.0


#: The start of every per-bulletin limit's name.
SLOT_PREFIX = "bantin-bulletin-"


def slot_name(bulletin_id: str) -> str:
    """The global concurrency limit that stands for one bulletin: ``bantin-bulletin-<id>``."""
    return f"{SLOT_PREFIX}{bulletin_id}"


def ensure_slot_limit(name: str) -> int:
    """Make sure the limit ``name`` exists, active, with one slot; how many slots are taken now.

    A concurrent first publish may create it between the read and the create: that is fine.
    """
    with get_client(sync_client=True) as client:
        try:
            limit = client.read_global_concurrency_limit_by_name(name)
        except ObjectNotFound:
            with suppress(ObjectAlreadyExists):  # created by a concurrent first publish
                client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=name, limit=1))
            return 0
        if limit.limit != 1 or not limit.active:  # changed by hand in the UI: one slot is the point
            client.update_global_concurrency_limit(name, GlobalConcurrencyLimitUpdate(limit=1, active=True))
        return limit.active_slots


@contextmanager
def bulletin_slot(bulletin_id: str, timeout: float | None = None) -> Iterator[None]:
    """Hold the bulletin's slot: wait (saying so) up to ``timeout`` seconds (``BANTIN_LOCK_TIMEOUT``), then :class:`PublishBusyError`."""
    if FlowRunContext.get() is None:  # not in a flow run: no API to ask, nothing to exclude
        yield
        return
    name = slot_name(bulletin_id)
    wait = lock_timeout() if timeout is None else timeout
    if ensure_slot_limit(name):
        get_run_logger().warning("%s: another publish of this bulletin is running on some worker; waiting up to %g s for it", bulletin_id, wait)
    with ExitStack() as held:
        try:
            # A transient API error while renewing the lease must not kill a publish half-way: the lease outlives it.
            held.enter_context(concurrency(name, occupy=1, timeout_seconds=wait, lease_duration=LEASE_S, strict=True, raise_on_lease_renewal_failure=False))
        except TimeoutError:
            raise PublishBusyError(
                f"{name}: another publish of {bulletin_id} still holds this concurrency slot after {wait:g} s. Wait for it to end, or raise BANTIN_LOCK_TIMEOUT"
            ) from None
        yield


def release_abandoned_slots(api_url: str) -> int:
    """Free the per-bulletin slots (``bantin-bulletin-*``) still counted as held on the server at ``api_url``; how many.

    Call it only when no publish can be running against that database: as the
    project's server starts, or as a command's temporary server starts with no
    other server of its home alive.  A held slot then belongs to a run that died
    with a previous server (its lease went with it); without this, the next
    publish of that bulletin would wait for a slot no one will release.
    """
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitUpdate
    from prefect.settings import PREFECT_API_URL, temporary_settings

    freed = 0
    with temporary_settings(updates={PREFECT_API_URL: api_url}), get_client(sync_client=True) as client:
        offset = 0
        while True:
            limits = client.read_global_concurrency_limits(limit=200, offset=offset)
            for limit in limits:
                if limit.name.startswith(SLOT_PREFIX) and limit.active_slots:
                    client.update_global_concurrency_limit(limit.name, GlobalConcurrencyLimitUpdate(active_slots=0))
                    freed += 1
            if len(limits) < 200:
                return freed
            offset += 200
