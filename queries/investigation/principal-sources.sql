-- name: principal-sources
-- title: IP addresses and user agents one principal used
-- category: investigation
-- description: For the principals whose ARN contains `principal`: every source IP and user agent combination
--   with calls, failures and the first and last use. Stolen credentials usually show up as a new address with
--   a different tool, active in a short window.
-- param: eds | | The event data store (id, name or ARN)
-- param: principal | | Text the principal's ARN contains (user name, session name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    userIdentity.arn AS principal,
    sourceIPAddress,
    userAgent,
    count(*) AS calls,
    sum(CASE WHEN errorCode IS NOT NULL AND errorCode <> '' THEN 1 ELSE 0 END) AS errors,
    min(eventTime) AS firstSeen,
    max(eventTime) AS lastSeen
FROM {{eds}}
WHERE userIdentity.arn LIKE '%{{principal}}%'
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY userIdentity.arn, sourceIPAddress, userAgent
ORDER BY principal, firstSeen, sourceIPAddress, userAgent
