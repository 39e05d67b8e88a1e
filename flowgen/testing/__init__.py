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

Besides listing, describing and invoking flows it answers FlowDefinitionView
queries, composite batches, OAuth token requests (``add_oauth_client``),
sObject describes (``add_sobject``) and Tooling API ApexClass queries
(``add_apex_class``), and can be made slow (``latency``) or faulty
(``inject`` a ``Fault``). Apex actions, prompt templates and standard
actions are served like flows::

    org.add_action("apex", {"name": "Create311Case", "label": "Create Case"})
    org.on("Create311Case", lambda inputs: {"caseId": "500..."}, kind="apex")
    ...
    assert org.invocations["apex:Create311Case"] == [{"subject": "Pothole"}]
"""

from ._faults import Fault
from ._model import FlowFault, FlowHandler, RecordedRequest
from ._org import FakeOrg

__all__ = ["FakeOrg", "Fault", "FlowFault", "FlowHandler", "RecordedRequest"]
