revision = 'a'
down_revision = None
x = f"{'a' + f'{b!r:>{w}}'}"
y = rb'\x00' Rb"" BR''
