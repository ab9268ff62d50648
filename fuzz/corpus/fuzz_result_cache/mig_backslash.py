x.pyc
x = 1 \ y
