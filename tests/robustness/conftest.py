"""Robustness tests run the suite as processes on PostgreSQL (see suite_support)."""

import sys
from pathlib import Path

# Shared helpers (importable under --import-mode=importlib).
sys.path.insert(0, str(Path(__file__).parent))
