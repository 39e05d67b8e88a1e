"""Reading a live org: logging in, careful REST reads, and pulling its flows."""

from flowgen.sources.org.actions import describe_actions
from flowgen.sources.org.auth import Credential, choose
from flowgen.sources.org.flows import (
    Pulled,
    describe_flows,
    flow_versions,
    list_flows,
    pull,
)
from flowgen.sources.org.http import OrgSession

__all__ = [
    "Credential",
    "OrgSession",
    "Pulled",
    "choose",
    "describe_actions",
    "describe_flows",
    "flow_versions",
    "list_flows",
    "pull",
]
