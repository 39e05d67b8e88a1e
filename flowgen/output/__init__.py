"""Putting output on disk safely: staged writes swapped in whole, and the run record.

A run's files are written beside the target and swapped in at once, so an
interrupted run leaves the old state or the new one. The run record lets a
run with nothing changed skip all work.
"""

from flowgen.output.atomic import replace_directory, staging_path
from flowgen.output.run_record import last_run_if_current, remember
from flowgen.output.write import (
    StagedWrite,
    WriteReport,
    diff_package,
    existing_files,
    write_package,
)

__all__ = [
    "StagedWrite",
    "WriteReport",
    "diff_package",
    "existing_files",
    "last_run_if_current",
    "remember",
    "replace_directory",
    "staging_path",
    "write_package",
]
