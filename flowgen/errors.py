"""The exceptions flowgen raises; each message says what happened and what to do."""

from __future__ import annotations


class FlowgenError(Exception):
    """Root of flowgen's own errors. The CLI prints the message, not a traceback."""


class ConfigError(FlowgenError):
    """Bad settings: a flag, or ``[tool.flowgen]`` in pyproject.toml."""


class SourceError(FlowgenError):
    """A source (snapshot directory, describe file) cannot be read.

    ``path`` names the file or directory at fault.
    """

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class OutputError(FlowgenError):
    """The generated package cannot be written where it was asked to go."""


class AuthError(FlowgenError):
    """Logging in to an org failed, or the org refused the session."""


class OrgError(FlowgenError):
    """The org answered in a way flowgen cannot go on from (limits, errors)."""
