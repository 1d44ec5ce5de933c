"""The one clock a build may read: SOURCE_DATE_EPOCH (https://reproducible-builds.org/specs/source-date-epoch/).

The output's bytes never depend on when it was built. Where a build must stamp a time (the modification
times of the files it writes), it uses SOURCE_DATE_EPOCH when that is set, so that an archive of the site is
reproducible too.
"""

from __future__ import annotations

import os

from .errors import FoilogError


def source_date_epoch() -> int | None:
    """SOURCE_DATE_EPOCH as whole seconds, or None when it is not set. Raises FoilogError when it is malformed."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise FoilogError(f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, not {value!r}",
                          hint="set it with, for example, SOURCE_DATE_EPOCH=$(git log -1 --format=%ct), or unset it")
    return int(value)
