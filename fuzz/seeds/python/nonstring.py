a = 1
b = True
c = b'x'
d = ('x', 2)
revision = 0x1f
down_revision = 1_000.5e-3j
