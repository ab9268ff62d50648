révision = 'x'
ｒevision = 'nfkc'
down_revision = None
