"""English date formats for operators: full timestamps, never "7 a.m.".

Django's own English formats drop the minutes on the hour ("7 a.m.") and
the seconds always; the admin, its history and the capture event log need
the exact time, in the operator's zone (TIME_ZONE) with that zone named.
"""

DATETIME_FORMAT = "Y-m-d H:i:s T"
SHORT_DATETIME_FORMAT = "Y-m-d H:i:s"
TIME_FORMAT = "H:i:s"
DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
