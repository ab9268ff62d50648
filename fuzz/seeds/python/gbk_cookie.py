# coding: gbk
revision = "004"
down_revision = "003"
x = "中文"
