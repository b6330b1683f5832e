"""Install the sandbox's in-process patches over moto 5.2.5, once per process (their shared state: ``hooks``)."""

from __future__ import annotations

import threading

from athena_om.sandbox.aws import athena_patches, glue_column_statistics, glue_patches, lakeformation_patches

_installed = False
_install_lock = threading.Lock()


def install_extensions() -> None:
    """Patch moto's Glue, Athena and Lake Formation handlers once per process."""
    global _installed
    with _install_lock:
        if _installed:
            return
        glue_patches.install()
        glue_column_statistics.install()
        athena_patches.install()
        lakeformation_patches.install()
        _installed = True
