R = "031"
P = '030'
revision = R
down_revision = (P, R)
