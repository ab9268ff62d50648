from x import get_rev
import cli
revision = get_rev()
down_revision = cli.BASE
branch_labels = f'x{1}'
if True:
    depends_on = 'a'
other = 'a' + 'b'
later = undefined_name
