1975ea83b712_add.py
down_revision = None
