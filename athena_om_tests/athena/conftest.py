"""The source readers run against the AWS sandbox with the demo lake (the same fixture as the sync tests)."""

from athena_om_tests.sync.conftest import DEMO_NOW, sandbox

__all__ = ["DEMO_NOW", "sandbox"]
