"""x"""
from alembic import op

revision = "004"
down_revision = "003"
branch_labels = None
depends_on = None
if (down_revision := "002"):
    pass


def upgrade():
    pass
