"""A migration.

Revision ID: x
"""
from alembic import op

revision = 'm3'
down_revision = ('a1', 'b1', 'c1')
branch_labels = None
depends_on = None


def upgrade():
    pass
