"""
revision = 'doc'
"""
revision = 'one'
# revision = 'comment'
s = "revision = 'str'"
def f():
    revision = 'func'
class C:
    revision = 'cls'
revision = 'two'
down_revision = None
