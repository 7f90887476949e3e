-- name: events-per-day-by-account
-- title: Events per day per account
-- category: activity
-- description: Daily event counts for every account (recipientAccountId), split into management and data
--   events, with failed calls and active principals. A day far above or below an account's usual volume is
--   worth a look: a runaway job, an intrusion, or a trail that stopped delivering.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    date(eventTime) AS day,
    recipientAccountId,
    count(*) AS events,
    sum(CASE WHEN eventCategory = 'Management' THEN 1 ELSE 0 END) AS managementEvents,
    sum(CASE WHEN eventCategory = 'Data' THEN 1 ELSE 0 END) AS dataEvents,
    sum(CASE WHEN errorCode IS NOT NULL AND errorCode <> '' THEN 1 ELSE 0 END) AS errors,
    count(DISTINCT userIdentity.arn) AS principals
FROM {{eds}}
WHERE eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY date(eventTime), recipientAccountId
ORDER BY day, recipientAccountId
