"""A migration.

Revision ID: x
"""
from alembic import op

revision = '031'
down_revision = ('029', '030')
branch_labels = None
depends_on = None
branch_labels = 'lbl'
depends_on = ['x', 'y']

def upgrade():
    pass
