# coding: utf-7
revision = "004"
down_revision = "003"
x = "+AGEAYgBj-"
