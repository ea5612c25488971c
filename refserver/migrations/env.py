"""Alembic's environment: the connection refserver.migrations hands over, the models' metadata as the target."""

from alembic import context
from sqlalchemy import TypeDecorator

from refserver.models import db


def _render_item(kind, obj, autogen_context):
    """A column of a decorated type (UTCDateTime) is written as its database type: a migration stays valid whatever
    becomes of the Python class, and imports nothing of the app."""
    if kind == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


context.configure(
    connection=context.config.attributes["connection"],
    target_metadata=db.metadata,
    # SQLite alters a table only by copying it into a new one: batch mode does that (and plain ALTERs elsewhere)
    render_as_batch=True,
    render_item=_render_item,
)
with context.begin_transaction():
    context.run_migrations()
