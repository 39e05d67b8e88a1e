"""Turning the outside world (snapshots, flow files, orgs) into FlowSpecs."""
