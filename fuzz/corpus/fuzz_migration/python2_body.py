1975ea83b712.py
revision = 'p2'
down_revision = None

def upgrade():
    print 'hello'
