# coding: iso2022_jp
revision = "004"
down_revision = "003"
x = "亜"
