"""x"""
from alembic import op

revision = "004"
down_revision = "zzz"
branch_labels = None
depends_on = None


def upgrade():
    pass
