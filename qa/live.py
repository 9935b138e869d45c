"""The live service: the published index version, switched to a newer one without a restart.

Whoever publishes a version (``policy-qa build`` on the same machine, or the service's own job),
:meth:`LiveService.refresh` notices that the index root's ``current`` pointer moved, loads the
new version beside the live one (reusing the encoder and analyzer, which do not change), and
swaps one reference. A request takes the service once, when it starts, and finishes with that
one; the old version's memory goes when the last request holding it ends.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from qa.service import PolicyService

log = logging.getLogger("policy_qa.live")


@dataclass(frozen=True)
class Switch:
    """One switch-over: from which version to which, when, and how long loading took."""

    previous: str | None
    version: str | None
    at: float
    seconds: float


class LiveService:
    """Holds the service of the published version.

    Args:
        load: loads the service of the currently published version; given the live service
            (or None at start) so that it can reuse its encoder and analyzer.
        published: the id of the currently published version, or None when none is (an index
            folder without versions, or a service a test made itself): then nothing is switched.
    """

    def __init__(self, load: Callable[[PolicyService | None], PolicyService],
                 published: Callable[[], str | None]) -> None:
        self._load = load
        self._published = published
        self._service: PolicyService | None = None
        self._lock = threading.Lock()  # one load at a time
        self.error: str | None = None  # what clients are told (no server paths)
        self.switches: list[Switch] = []

    @property
    def current(self) -> PolicyService | None:
        """The live service; take it once per request and keep it for the request's duration."""
        return self._service

    @property
    def version(self) -> str | None:
        service = self._service
        return service.index.version if service else None

    def start(self) -> None:
        """Load the published version (errors are kept in :attr:`error`, the process lives on)."""
        with self._lock:
            try:
                self._switch(self._load(None))
            except Exception as error:  # reported by /readyz and every request; details in the log
                self.error = _public(error)
                log.exception("index load failed")

    def refresh(self) -> bool:
        """Switch to the published version if it is not the live one; True if it switched.

        Raises:
            Exception: whatever loading the new version raised; the live version stays.
        """
        with self._lock:
            published = self._published()
            if published is None or (self._service is not None and published == self.version):
                return False
            self._switch(self._load(self._service))
            return True

    def _switch(self, service: PolicyService) -> None:
        started = time.monotonic()
        previous = self.version
        self._service = service  # one reference: requests that took the old one keep it
        self.error = None
        self.switches.append(Switch(previous, self.version, time.time(), time.monotonic() - started))
        log.info("serving index version %s (was %s)", self.version, previous)

    def watch(self, interval: float, stop: threading.Event) -> None:
        """Poll for a newly published version every ``interval`` seconds until ``stop`` is set."""
        while not stop.wait(interval):
            try:
                self.refresh()
            except Exception:  # a version that fails to load is logged; the live one keeps serving
                log.exception("the published index version could not be loaded")


def _public(error: Exception) -> str:
    """Why the index could not be loaded, in words for a client: the log has the paths."""
    kind = type(error).__name__
    if kind == "EngineError":
        return str(error)  # names the engine's address, never its password
    if kind == "IndexNotFound":
        return "no index has been built yet: build one (policy-qa build), then the service loads it"
    if kind == "IndexMismatch":
        return ("the index does not match this version of policy-qa or is damaged: rebuild it "
                "(policy-qa build)")
    return "the index could not be loaded; the server log says why"
