1975ea83b712.py
down_revision = None
