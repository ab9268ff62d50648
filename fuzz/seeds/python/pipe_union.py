revision: str = "b2"
down_revision: str | None = "b1"
branch_labels: tuple[str] | None = None
depends_on: tuple[str] | None = None
