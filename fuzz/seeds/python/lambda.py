f = lambda x=1: x
revision = 'r'
down_revision = None
