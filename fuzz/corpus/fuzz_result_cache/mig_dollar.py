x.pyc
x = $
