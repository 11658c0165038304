"""ORM tables (SQLAlchemy 2 typed declarative). Rows never leave ``storage``: repositories map
them to domain objects explicitly."""

from storage.tables import calls, directory, intake, qa, work_orders
from storage.tables.base import Base

metadata = Base.metadata

__all__ = ["Base", "calls", "directory", "intake", "metadata", "qa", "work_orders"]
