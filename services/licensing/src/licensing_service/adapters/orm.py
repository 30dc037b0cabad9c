"""Tables of the licensing database (SQLAlchemy 2 typed rows) and the platform tables."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from ppcore.db import add_platform_tables, make_metadata

metadata = make_metadata()
platform_tables = add_platform_tables(metadata)


class Base(DeclarativeBase):
    metadata = metadata
