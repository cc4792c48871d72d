"""Browser-test fixtures: they live in ``web_support`` so test modules can import its helpers by a unique name."""

from web_support import *  # noqa: F403
