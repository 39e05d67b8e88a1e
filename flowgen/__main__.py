"""``python -m flowgen``."""

import signal
import sys

# Signals first: an interrupt while the CLI is still importing ends quietly too.
from flowgen.output.atomic import install_signal_handlers

install_signal_handlers()
try:
    from flowgen.cli.main import run
except KeyboardInterrupt as exc:
    signum = getattr(exc, "signum", signal.SIGINT)
    name = signal.Signals(signum).name
    sys.stderr.write(
        f"flowgen: interrupted ({name}) while starting: nothing was written\n"
    )
    raise SystemExit(128 + signum) from None

run()
