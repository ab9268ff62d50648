# coding: unicode_escape
revision = "004"\u000adown_revision = "003"
