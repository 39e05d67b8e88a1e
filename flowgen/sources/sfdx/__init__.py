"""Reading a Salesforce DX project: flow XML, and the objects and fields beside it."""

from flowgen.sources.sfdx.flows import SfdxProject, open_project, project_files

__all__ = ["SfdxProject", "open_project", "project_files"]
