"""A migration.

Revision ID: x
"""
from alembic import op

revision = 'e1'
down_revision = None
branch_labels = None
depends_on = None
branch_labels = ('expand',)
depends_on = ()

def upgrade():
    pass
