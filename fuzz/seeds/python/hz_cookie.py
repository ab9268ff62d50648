# coding: hz
revision = "004"
x = "~{VPND~}"
