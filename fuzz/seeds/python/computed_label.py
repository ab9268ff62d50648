"""A migration.

Revision ID: x
"""
from alembic import op

revision = 'a'
down_revision = None
branch_labels = None
depends_on = None
import cli
branch_labels = (cli.EXPAND_BRANCH,)

def upgrade():
    pass
