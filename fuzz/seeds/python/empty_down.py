revision = 'a'
down_revision = ''
