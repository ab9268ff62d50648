a.py
revision = None
down_revision = None
