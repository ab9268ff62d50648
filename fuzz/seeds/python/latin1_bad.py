revision = 'café'
down_revision = None
