"""Fuzzing helpers: Hypothesis settings scaled by FASTPATH_FUZZ_SCALE, its cache kept out of the
source tree."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir

SCALE = float(os.environ.get("FASTPATH_FUZZ_SCALE", "1"))


# Hypothesis caches what it learns in .hypothesis/ under the working directory; keep that out
# of the source tree (pytest would warn about the folder, and warnings are errors here).
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "fastpath-hypothesis")


def fuzz(examples: int) -> settings:
    return settings(
        max_examples=max(1, int(examples * SCALE)),
        deadline=None,
        database=None,  # failures are reproduced from the printed example, not a cache
        derandomize=SCALE == 1,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
