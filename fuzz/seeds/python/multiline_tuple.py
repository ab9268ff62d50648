revision = 'x'
down_revision = (
  'a',  # first
  "b",
)
x = ['c']
y = 'd', 'e'
z = ()
