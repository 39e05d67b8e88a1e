"""A fake Salesforce org for tests: flow actions served over real HTTP.

Example::

    with FakeOrg("snapshot") as org:
        org.on("Greet", lambda inputs: {"greeting": f"Hello {inputs['name']}"})
        client = httpx.Client(
            base_url=org.instance_url,
            headers={"Authorization": f"Bearer {org.access_token}"},
        )
        ...
        assert org.invocations["Greet"] == [{"name": "Ada"}]
"""

from ._model import FlowFault, FlowHandler, RecordedRequest
from ._org import FakeOrg

__all__ = ["FakeOrg", "FlowFault", "FlowHandler", "RecordedRequest"]
