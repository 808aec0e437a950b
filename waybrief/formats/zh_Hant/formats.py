"""Traditional Chinese date formats, as full as the English ones (waybrief/formats/en).

Django's own zh_Hant formats drop the seconds ("2026年12月1日 7:00"); the pages
that show when a worker answered or a post was archived need the exact time,
named in the operator's zone, in the order a Taiwanese reader writes a date.
"""

DATETIME_FORMAT = "Y年n月j日 H:i:s T"
SHORT_DATETIME_FORMAT = "Y/m/d H:i:s"
TIME_FORMAT = "H:i:s"
DATE_FORMAT = "Y年n月j日"
SHORT_DATE_FORMAT = "Y/m/d"
# Taiwan groups digits by three with commas (12,345), as the browser's Intl does for
# summary.js; Django's zh_Hant groups by four.
NUMBER_GROUPING = 3
THOUSAND_SEPARATOR = ","
DECIMAL_SEPARATOR = "."
