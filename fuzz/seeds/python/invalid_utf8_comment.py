revision = 'a'
down_revision = None
# ÿþ bad
