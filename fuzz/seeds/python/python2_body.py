revision = 'p2'
down_revision = None

def upgrade():
    print 'hello'
