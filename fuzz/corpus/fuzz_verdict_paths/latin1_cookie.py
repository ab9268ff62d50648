# -*- coding: latin-1 -*-
"""x"""
from alembic import op

revision = "004"
down_revision = "003"
branch_labels = None
depends_on = None
# café


def upgrade():
    pass
