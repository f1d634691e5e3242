"""Alembic environment: the URL comes from the settings, the target from the models.

On SQLite, ALTER TABLE runs in batch mode, which rebuilds a table by copying it and dropping the
old one. With foreign keys on, dropping a parent table cascade-deletes its children, so foreign
keys are switched off for the migration and checked afterwards (see repository.migrations).
"""

from alembic import context

from repository.migrations import run_migrations_online
from repository.models import Base

config = context.config

if context.is_offline_mode():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=Base.metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online(context, config, Base.metadata)
