"""Session-wide test setup.

The test process uses a Temporal client, and such processes may abort during interpreter finalization
(sdk-python issue 300). The session therefore leaves with os._exit and pytest's real exit status, after
pytest has printed its summary.
"""

import os
import sys

import pytest

_EXIT_STATUS: dict[str, int] = {}


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _EXIT_STATUS["status"] = int(exitstatus)


def pytest_unconfigure(config: pytest.Config) -> None:
    if "status" in _EXIT_STATUS and not hasattr(config, "workerinput"):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_EXIT_STATUS["status"])
