-- name: management-vs-data-events
-- title: Management and data events per day
-- category: activity
-- description: Daily counts by event category: management events (control plane: create, change, describe),
--   data events (S3 object reads and writes, Lambda invocations, ...), and others (Insight, NetworkActivity,
--   or records without a category). Data events are usually the bulk and the cost; a jump in them can be bulk
--   downloading.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    date(eventTime) AS day,
    count(*) AS events,
    sum(CASE WHEN eventCategory = 'Management' THEN 1 ELSE 0 END) AS management,
    sum(CASE WHEN eventCategory = 'Data' THEN 1 ELSE 0 END) AS data,
    sum(CASE WHEN eventCategory IS NULL OR eventCategory NOT IN ('Management', 'Data') THEN 1 ELSE 0 END)
        AS other
FROM {{eds}}
WHERE eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY date(eventTime)
ORDER BY day
