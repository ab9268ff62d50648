abc123_foo.py
révision = 'x'
ｒevision = 'nfkc'
down_revision = None
