abc123_foo.py
x = """abc

