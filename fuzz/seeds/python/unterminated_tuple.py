revision = 'a'
down_revision = (1,
2
