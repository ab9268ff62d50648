deadbeef.py
revision = 'café'
down_revision = None
