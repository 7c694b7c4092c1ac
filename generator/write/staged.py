"""write_site(): the only code that writes the built site to disk.

The site is written to a sibling temporary folder and swapped in with renames, so a failed or
killed build leaves the previous ``output/`` as it was.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from generator.diagnostics import UserError
from generator.models import OutputFile
from generator.write.trash import discard, remove_in_background

TEMP_PREFIX = ".paperboy-tmp-"
OLD_PREFIX = ".paperboy-old-"
TRASH_PREFIX = ".paperboy-trash-"  # trees being removed: never taken for a previous output
# Every build writes this file at the top of the site (pipeline.fixed_files, so serve's output
# has it too); a non-empty folder without it is not replaced, so `--output ~` cannot swap a
# home folder away.
BUILD_MARKER = ".paperboy-build"
MARKER_TEXT = b"Built by Paperboy: `paperboy build` replaces this folder as a whole.\n"
# Removing the previous tree is unlink-bound and slow on a busy disk (profiled: 14.6 s for a
# 1k site at load 10); from this many files on, it is left to a detached background process.
BACKGROUND_REMOVAL_FILES = 5000


def safe_target(root: Path, relative: PurePosixPath) -> Path:
    """Resolve ``relative`` under ``root``; anything that would leave it is a bug upstream."""
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise ValueError(f"refusing to write outside the output folder: {relative}")
    return root.joinpath(*relative.parts)


class Stage:
    """The temporary folder a new site is written into, and how many files went into it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.written = 0

    def write(self, files: Iterable[OutputFile]) -> None:
        self.written += write_files(files, self.folder)

    def wrote(self, count: int) -> None:
        """Count files written into ``folder`` by others (e.g. forked render workers)."""
        self.written += count


def write_site(files: Iterable[OutputFile], output_dir: Path,
               finish: Callable[[Path], None] | None = None) -> int:
    """Write every file, then swap the new tree into place. Returns the number of files.

    ``finish(temp_dir)`` runs on the complete tree before the swap (e.g. the search indexer),
    so what it adds is part of the same atomic update; if it raises, nothing is replaced.
    """
    with staged_site(output_dir, finish) as stage:
        stage.write(files)
    return stage.written


@contextmanager
def staged_site(output_dir: Path,
                finish: Callable[[Path], None] | None = None) -> Iterator[Stage]:
    """A Stage to write the new site into, swapped into place when the block ends without an
    exception (after ``finish(folder)``); on any exception it is removed and the old site
    stays. Afterwards ``written`` is the number of files in the new site."""
    parent = output_dir.parent
    check_output_dir(output_dir)
    check_replaceable(output_dir)
    try:
        parent.mkdir(parents=True, exist_ok=True)
        recover_interrupted_swap(output_dir)
        remove_stale_temporaries(parent, output_dir.name)
        temp = parent / f"{TEMP_PREFIX}{output_dir.name}-{os.getpid()}"
        shutil.rmtree(temp, ignore_errors=True)
        temp.mkdir()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise UserError(f"{output_dir}: error: cannot write the site here: {reason}") from None
    stage = Stage(temp)
    try:
        yield stage
        written = stage.written
        if finish is not None:
            finish(temp)
            stage.written = sum(len(names) for _, _, names in os.walk(temp))
        _swap(temp, output_dir, background=written >= BACKGROUND_REMOVAL_FILES)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise


def check_output_dir(output_dir: Path) -> None:
    """Refuse an output path that is, or sits under, something other than a folder.

    Without this a file named like the output folder would be silently swapped away, and a
    file in the way of a parent gives only "File exists".
    """
    for path in (output_dir, *output_dir.parents):
        if path.exists() or path.is_symlink():
            if not path.is_dir():
                what = "the output folder" if path == output_dir else f"'{path}'"
                raise UserError(f"{output_dir}: error: cannot write the site here: {what} is a "
                                "file, not a folder")
            return


def check_replaceable(output_dir: Path) -> None:
    """Refuse to replace a folder that holds files and that no Paperboy build made."""
    try:
        with os.scandir(output_dir) as entries:
            if next(entries, None) is None:
                return
    except (FileNotFoundError, NotADirectoryError):
        return
    except OSError as exc:
        raise UserError(f"{output_dir}: error: cannot read the output folder: "
                        f"{exc.strerror or exc}") from None
    if (output_dir / BUILD_MARKER).is_file() or _built_before_the_marker(output_dir):
        return
    raise UserError(f"{output_dir}: error: will not replace this folder: it is not empty and "
                    f"was not made by a Paperboy build (it has no {BUILD_MARKER} file); build "
                    "into a new or empty folder")


def _built_before_the_marker(output_dir: Path) -> bool:
    """Output of a Paperboy release without the marker: `.nojekyll` and `sitemap.xml` on top."""
    return (output_dir / ".nojekyll").is_file() and (output_dir / "sitemap.xml").is_file()


def write_files(files: Iterable[OutputFile], root: Path) -> int:
    """Write files under ``root`` (made by staged_site); safe to run in several processes.

    Each file is a new inode: a name already there is unlinked first, never written into,
    because a staged file may be a hard link to a blob of the build cache (generator/reuse.py).
    """
    count = 0
    made: set[Path] = set()
    for file in files:
        target = safe_target(root, file.path)
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        write_new_file(target, file.data)
        count += 1
    return count


def write_new_file(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` as a new file (replacing a name, not writing into it)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(target, flags, 0o666)
    except FileExistsError:
        target.unlink()
        fd = os.open(target, flags, 0o666)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _swap(temp: Path, output_dir: Path, *, background: bool = False) -> None:
    old = output_dir.parent / f"{OLD_PREFIX}{output_dir.name}-{os.getpid()}"
    try:
        if output_dir.exists():
            os.replace(output_dir, old)
        os.replace(temp, output_dir)
    except OSError as exc:
        if old.exists() and not output_dir.exists():
            os.replace(old, output_dir)
        raise UserError(f"{output_dir}: error: cannot replace the site: {exc.strerror}") from None
    if old.exists():
        # renamed to TRASH_PREFIX first, so a removal cut short is never recovered as the
        # previous output
        discard(old, old.with_name(f"{TRASH_PREFIX}{output_dir.name}-{os.getpid()}-{old.name}"),
                background=background)


def recover_interrupted_swap(output_dir: Path) -> None:
    """A build killed between the two renames leaves only the old tree: put it back."""
    if output_dir.exists():
        return
    leftovers = sorted(output_dir.parent.glob(f"{OLD_PREFIX}{output_dir.name}-*"))
    if leftovers:
        os.replace(leftovers[-1], output_dir)


def remove_stale_temporaries(parent: Path, name: str) -> None:
    """Leftovers of builds that were killed mid-way (and of removals that were cut short)."""
    for prefix in (TEMP_PREFIX, OLD_PREFIX):
        for stale in parent.glob(f"{prefix}{name}-*"):
            shutil.rmtree(stale, ignore_errors=True)
    for stale in parent.glob(f"{TRASH_PREFIX}{name}-*"):
        if not remove_in_background(stale):  # possibly still being removed by an earlier build
            shutil.rmtree(stale, ignore_errors=True)
