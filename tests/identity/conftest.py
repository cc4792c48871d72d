"""Identity fixtures: they live in ``identity_support`` so test modules can import its helpers by a unique name."""

from identity_support import *  # noqa: F403
