"""Portfolio reporting: the metrics behind the staff dashboards (docs/REPORTS.md defines each).

Every function reads over a date range with a fixed number of queries, whatever the size of
the portfolio's pages; the staff views only render what these return, as charts, tables and
CSV. ``period`` parses the date-range filter; ``portfolio`` (buckets, roll and cure rates),
``collection`` (promises, plans, recoveries by channel and ladder step), ``conduct`` (cases
and their SLA, blocked contacts, agencies), ``grace`` (grace-period analysis) and ``risk``
(the early-warning score) hold the metrics.
"""
