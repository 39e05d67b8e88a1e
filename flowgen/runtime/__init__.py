"""The runtime shim that generated packages call.

The code lives in ``_runtime.py``, which flowgen copies byte for byte into each
generated package; this package re-exports it for flowgen's own use and tests.
"""

from flowgen.runtime import _runtime
from flowgen.runtime._runtime import *  # noqa: F403 - its __all__ is the public list

__all__ = _runtime.__all__
