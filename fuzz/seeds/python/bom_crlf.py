revision = 'a' "b"
down_revision = 'x\x41\n'
r = r'\d'
u = u'\u00e9\N{BULLET}'
