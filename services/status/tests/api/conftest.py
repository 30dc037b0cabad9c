"""API-test fixtures; the helpers live in status_api_support (importable from the tests here)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from status_api_support import api, shared_api

__all__ = ["api", "shared_api"]
