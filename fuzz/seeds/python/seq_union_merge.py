revision: str = "m1"
down_revision: Union[str, Sequence[str], None] = ("a", "b")
