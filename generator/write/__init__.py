"""Writing the site: a staged folder swapped into place, so a failed build leaves the previous
output as it was; large trees removed in the background."""

from generator.write.staged import (
    BUILD_MARKER,
    MARKER_TEXT,
    Stage,
    safe_target,
    staged_site,
    write_files,
)
from generator.write.trash import discard

__all__ = ["BUILD_MARKER", "MARKER_TEXT", "Stage", "discard", "safe_target", "staged_site",
           "write_files"]
