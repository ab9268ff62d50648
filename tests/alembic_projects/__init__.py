"""The Alembic projects every suite writes: one place for the integration tests
(tests/integration/fixtures.py), the differential suite (tests/differential/generate.py) and the
adversarial suite (tests/adversarial/shapes.py).

  * ALEMBIC_INI, ENV_PY, SCRIPT_MAKO, project_files(): the project `alembic init` makes, as the
    incident's basketball-api has it (env.py imports the application's metadata);
  * OFFLINE_ENV_PY, LOGGING_SECTIONS: the env.py and logging sections of the generated
    multi-environment projects, which real Alembic reads without a database;
  * incident_chain(), migration_filename(), migration_text(): the history of
    ../../shared/incident.md (001..005 -> e09c9e678004 -> 007..030) and migration files as
    `alembic revision` writes them (the classic template, or the annotated one).

Python 3 standard library only.
"""

ALEMBIC_INI = """\
# A generic, single database configuration.

[alembic]
# path to migration scripts
script_location = alembic

# template used to generate migration file names; The default value is %%(rev)s_%%(slug)s
# file_template = %%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d-%%(rev)s_%%(slug)s

# sys.path path, will be prepended to sys.path if present.
prepend_sys_path = .

# version path separator; As mentioned above, this is the character used to split
# version_locations. The default within new alembic.ini files is "os", which uses os.pathsep.
version_path_separator = os  # Use os.pathsep. Default configuration used for new projects.

sqlalchemy.url = postgresql+psycopg2://basketball:basketball@localhost/basketball

[post_write_hooks]

[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARN
handlers = console
qualname =

[logger_sqlalchemy]
level = WARN
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
datefmt = %H:%M:%S
"""

ENV_PY = '''\
from logging.config import fileConfig

from sqlalchemy import engine_from_config
from sqlalchemy import pool

from alembic import context

from app.db import Base

config = context.config

if config.config_file_name is not None:
    fileConfig(config.config_file_name)

target_metadata = Base.metadata


def run_migrations_offline() -> None:
    url = config.get_main_option("sqlalchemy.url")
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True,
                      dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = engine_from_config(config.get_section(config.config_ini_section, {}),
                                     prefix="sqlalchemy.", poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
'''

SCRIPT_MAKO = '''\
"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

"""
from alembic import op
import sqlalchemy as sa
${imports if imports else ""}

# revision identifiers, used by Alembic.
revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
'''

VERSIONS = "alembic/versions"

# The basketball-api history of incident.md: 001..005, then the hash-named e09c9e678004 (in the
# chain, not a fork), then 007..030.
HASH_REV = "e09c9e678004"
_SLUGS = [
    "create_teams", "create_players", "create_games", "add_player_position", "create_seasons",
    "add_player_stats", "add_game_scores", "add_team_city", "create_arenas", "add_game_arena",
    "add_player_jersey_number", "create_coaches", "add_team_coach", "add_season_year_index",
    "create_injuries", "add_player_birthdate", "create_trades", "add_trade_date_index",
    "add_game_overtime", "create_standings", "add_standings_streak", "add_player_draft_year",
    "create_referees", "add_game_referee", "add_arena_capacity", "create_box_scores",
    "add_box_score_minutes", "add_team_conference", "add_player_college", "add_game_attendance",
]


def incident_chain():
    """[(revision, down_revision, slug)] for 001 .. 005 -> e09c9e678004 -> 007 .. 030."""
    ids = [f"{i:03d}" for i in range(1, 6)] + [HASH_REV] + [f"{i:03d}" for i in range(7, 31)]
    chain = []
    prev = None
    for rev, slug in zip(ids, _SLUGS):
        chain.append((rev, prev, slug))
        prev = rev
    return chain


def migration_filename(rev, slug, directory=VERSIONS):
    return f"{directory}/{rev}_{slug}.py"


def _table_of(slug):
    for t in ("player", "team", "game", "season", "arena", "coach", "injur", "trade", "standing",
              "referee", "box_score"):
        if t in slug:
            return {"injur": "injuries", "coach": "coaches", "box_score": "box_scores"}.get(t, t + "s")
    return "events"


def migration_text(rev, down, slug, annotated=False, when="2023-03-14 09:26:53.000000"):
    """The text of a migration file as `alembic revision` writes it (the classic template, or the
    annotated one of Alembic >= 1.11)."""
    message = slug.replace("_", " ")
    if down is None:
        revises = ""
    elif isinstance(down, (tuple, list)):
        revises = ", ".join(down)
        down = tuple(down)
    else:
        revises = down
    table = _table_of(slug)
    if slug.startswith("create_"):
        up = (f'op.create_table(\n        "{table}",\n'
              f'        sa.Column("id", sa.Integer(), nullable=False),\n'
              f'        sa.Column("name", sa.String(length=120), nullable=False),\n'
              f'        sa.PrimaryKeyConstraint("id"),\n    )')
        downgrade = f'op.drop_table("{table}")'
    elif slug.startswith("merge"):
        up = "pass"
        downgrade = "pass"
    else:
        column = slug.split("_", 2)[-1]
        up = f'op.add_column("{table}", sa.Column("{column}", sa.String(length=64), nullable=True))'
        downgrade = f'op.drop_column("{table}", "{column}")'
    if annotated:
        idents = (f"revision: str = {rev!r}\n"
                  f"down_revision: Union[str, Sequence[str], None] = {down!r}\n"
                  f"branch_labels: Union[str, Sequence[str], None] = None\n"
                  f"depends_on: Union[str, Sequence[str], None] = None\n")
        imports = "from typing import Sequence, Union\n\n"
    else:
        idents = (f"revision = {rev!r}\n"
                  f"down_revision = {down!r}\n"
                  f"branch_labels = None\n"
                  f"depends_on = None\n")
        imports = ""
    return (f'"""{message}\n\nRevision ID: {rev}\nRevises: {revises}\nCreate Date: {when}\n\n"""\n'
            f"{imports}"
            f"from alembic import op\nimport sqlalchemy as sa\n\n\n"
            f"# revision identifiers, used by Alembic.\n{idents}\n\n"
            f"def upgrade() -> None:\n"
            f"    # ### commands auto generated by Alembic - please adjust! ###\n"
            f"    {up}\n"
            f"    # ### end Alembic commands ###\n\n\n"
            f"def downgrade() -> None:\n"
            f"    # ### commands auto generated by Alembic - please adjust! ###\n"
            f"    {downgrade}\n"
            f"    # ### end Alembic commands ###\n")


def project_files() -> dict:
    """The files of write_project(), for FastHistory."""
    return {"alembic.ini": ALEMBIC_INI, "alembic/env.py": ENV_PY, "alembic/script.py.mako": SCRIPT_MAKO,
            "alembic/README": "Generic single-database configuration.\n", "app/__init__.py": "",
            "app/db.py": "from sqlalchemy.orm import declarative_base\n\nBase = declarative_base()\n",
            "README.md": "# basketball-api\n\nStats API for the league.\n"}


# The generated projects (tests/differential): offline only, no database.
OFFLINE_ENV_PY = '''from logging.config import fileConfig

from alembic import context

config = context.config
target_metadata = None


def run_migrations_offline():
    context.configure(url=config.get_main_option("sqlalchemy.url"),
                      target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
'''


LOGGING_SECTIONS = """
[post_write_hooks]

[loggers]
keys = root

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARN
handlers = console

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %%(levelname)-5.5s [%%(name)s] %%(message)s
"""
