revision = 'a-b'
down_revision = None
