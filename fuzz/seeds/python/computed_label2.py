"""A migration.

Revision ID: x
"""
from alembic import op

revision = 'a'
down_revision = None
branch_labels = None
depends_on = None
from neutron.db.migration import cli
branch_labels = ('liberty_' + cli.EXPAND_BRANCH,)

def upgrade():
    pass
