# coding: iso2022_kr
revision = "004"
x = "　"
