-- name: top-callers
-- title: Most active principals
-- category: activity
-- description: The principals (users, role sessions, AWS services) that made the most calls, with their
--   identity type, how many APIs, source IPs and accounts they used, failures and write calls. A principal
--   that climbs this list suddenly, or that has many source IPs, is worth looking at with principal-activity.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
-- param: limit | 25 | Most principals to list
SELECT
    COALESCE(userIdentity.arn, userIdentity.invokedBy, userIdentity.type) AS principal,
    userIdentity.type AS identityType,
    count(*) AS calls,
    count(DISTINCT eventSource || ':' || eventName) AS apis,
    count(DISTINCT sourceIPAddress) AS sourceIps,
    count(DISTINCT recipientAccountId) AS accounts,
    sum(CASE WHEN readOnly = false THEN 1 ELSE 0 END) AS writes,
    sum(CASE WHEN errorCode IS NOT NULL AND errorCode <> '' THEN 1 ELSE 0 END) AS errors,
    min(eventTime) AS firstSeen,
    max(eventTime) AS lastSeen
FROM {{eds}}
WHERE eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY COALESCE(userIdentity.arn, userIdentity.invokedBy, userIdentity.type), userIdentity.type
ORDER BY calls DESC, principal
LIMIT {{limit}}
