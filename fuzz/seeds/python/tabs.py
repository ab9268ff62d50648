if True:
	x = 1
        y = 2
revision = 'a'
down_revision = None
