revision = 'a'
del revision
x = y = 'q'
(p, q) = 'm', 'n'
[r, *s] = 'a', 'b'
