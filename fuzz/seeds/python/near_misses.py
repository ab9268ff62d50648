x = """
<<<<<<< HEAD
=======
"""
x = (1 +
     2)
y = 1 + \
    2
if x:
    y = 1
else:
    y = 2
class A: x = 1
def f(a: int = 1) -> int: return a
x = {1: 2}
x = f'{a!r}'
@decorator
def g():
    pass
x = 1 if y else 2
match = 1
async def h():
    await z
w = [i for i in range(3)]
