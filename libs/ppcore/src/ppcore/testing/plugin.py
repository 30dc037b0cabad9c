"""pytest plugin shared by every test suite of the project (fixtures added as the platform grows)."""
