"""A snapshot directory as a git revision holds it (``flowgen diff git:HEAD ...``).

The files are taken out of git with ``git archive`` into a temporary
directory, and read there like any snapshot: the reader stays one.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from flowgen.errors import SourceError

PREFIX = "git:"
# Local git only, but a huge repository or a hung credential helper must not
# hang CI forever.
_GIT_TIMEOUT = 120.0


def is_git_spec(spec: str) -> bool:
    return spec.startswith(PREFIX)


def parse_git_spec(spec: str) -> tuple[str, str | None]:
    """``git:REV`` -> (REV, None); ``git:REV:PATH`` -> (REV, PATH)."""
    rest = spec[len(PREFIX) :]
    revision, sep, path = rest.partition(":")
    if not revision:
        raise SourceError(
            spec,
            "names no revision: write git:REV (git:HEAD, git:main, git:v1.2) or git:REV:PATH",
        )
    return revision, (path if sep and path else None)


@contextmanager
def checked_out(spec: str, default_path: Path | None) -> Iterator[Path]:
    """The snapshot directory of ``spec`` (``git:REV[:PATH]``) written out
    to a temporary directory, for the duration of the ``with``.

    Without a PATH, ``default_path`` (the configured snapshot directory, on
    disk) says where in the repository the snapshot lives.
    """
    revision, path = parse_git_spec(spec)
    if path is None:
        if default_path is None:
            raise SourceError(
                spec,
                "which directory? Write git:REV:PATH or set snapshot in [tool.flowgen]",
            )
        top = _toplevel(default_path)
        try:
            relative = default_path.resolve().relative_to(top)
        except ValueError:
            raise SourceError(
                str(default_path), f"not inside the git repository at {top}"
            ) from None
        path = relative.as_posix()
        cwd = top
    else:
        cwd = _toplevel(Path.cwd())
        path = PurePosixPath(path).as_posix()
    archive = _git(
        ["archive", "--format=tar", revision, "--", path],
        cwd=cwd,
        failure=(spec, f"git has no {path} at revision {revision}"),
    )
    with tempfile.TemporaryDirectory(prefix="flowgen-git-") as tmp:
        _extract(archive, Path(tmp))
        root = Path(tmp) / path
        if not root.is_dir():
            raise SourceError(spec, f"{path} is not a directory at {revision}")
        yield root


def _toplevel(near: Path) -> Path:
    start = near if near.is_dir() else near.parent
    while not start.exists():  # a snapshot not pulled yet: ask its parent
        start = start.parent
    out = _git(
        ["rev-parse", "--show-toplevel"],
        cwd=start,
        failure=(str(start), "not inside a git repository"),
    )
    return Path(out.decode("utf-8", "surrogateescape").strip()).resolve()


def _git(args: list[str], *, cwd: Path, failure: tuple[str, str]) -> bytes:
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            timeout=_GIT_TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        raise SourceError("git", "not installed (needed to read git:REV)") from None
    except subprocess.TimeoutExpired:
        raise SourceError(
            f"git {args[0]}", f"took more than {_GIT_TIMEOUT:.0f} s; gave up"
        ) from None
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        where, problem = failure
        raise SourceError(where, f"{problem} ({said[-1] if said else 'git failed'})")
    return done.stdout


def _extract(archive: bytes, into: Path) -> None:
    # git archive writes regular files and directories only; anything else
    # (a link pointing out of the tree) is skipped rather than trusted.
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:") as tar:
        for member in tar.getmembers():
            target = PurePosixPath(member.name)
            if target.is_absolute() or ".." in target.parts:
                continue
            if member.isdir():
                (into / target).mkdir(parents=True, exist_ok=True)
            elif member.isfile():
                source = tar.extractfile(member)
                assert source is not None
                (into / target).parent.mkdir(parents=True, exist_ok=True)
                (into / target).write_bytes(source.read())
