"""Alembic environment: the URL comes from the caller or from dashboard.config."""
from alembic import context

from dashboard.config import load_config
from dashboard.db import make_engine
from dashboard.schema import include_object, is_managed, metadata

config = context.config
url = config.attributes.get("database_url") or load_config().database_url


def run_migrations_offline() -> None:
    context.configure(url=url, target_metadata=metadata, literal_binds=True,
                      render_as_batch=url.startswith("sqlite"), include_name=is_managed,
                      include_object=include_object(url.split(":", 1)[0].split("+", 1)[0]))
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata,
                          render_as_batch=url.startswith("sqlite"), include_name=is_managed,
                          include_object=include_object(connection.dialect.name))
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
