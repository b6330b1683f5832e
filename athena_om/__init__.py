"""athena-om: keeps an OpenMetadata catalog in sync with Amazon Athena, as Dagster assets.

`athena_om.AthenaOpenMetadata` is the Dagster component (the `type:` a `defs.yaml` names);
`athena_om.AthenaDataQuality` adds one asset check per OpenMetadata test case. They are imported on first use,
so `import athena_om.config` or the sandbox do not pay for loading Dagster and every asset.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from athena_om.component import AthenaOpenMetadata
    from athena_om.defs.quality.component import AthenaDataQuality

__all__ = ["AthenaDataQuality", "AthenaOpenMetadata"]


def __getattr__(name: str) -> Any:
    if name == "AthenaOpenMetadata":
        from athena_om.component import AthenaOpenMetadata

        return AthenaOpenMetadata
    if name == "AthenaDataQuality":
        from athena_om.defs.quality.component import AthenaDataQuality

        return AthenaDataQuality
    raise AttributeError(f"module 'athena_om' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
