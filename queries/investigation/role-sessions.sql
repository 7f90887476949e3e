-- name: role-sessions
-- title: Sessions of one assumed role
-- category: investigation
-- description: Every session of the IAM role named `role` (the session issuer's name, e.g. AdminRole), one
--   row per session ARN (role plus session name): calls, failures, write calls, the APIs, source IPs and
--   regions used, and the first and last call. A session with an unexpected name, address or region is where
--   an attacker who assumed the role shows up; follow it with principal-activity on the session name.
-- param: eds | | The event data store (id, name or ARN)
-- param: role | | The role name (sessionIssuer userName)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    userIdentity.arn AS session,
    recipientAccountId,
    count(*) AS calls,
    sum(CASE WHEN errorCode IS NOT NULL AND errorCode <> '' THEN 1 ELSE 0 END) AS errors,
    sum(CASE WHEN readOnly = false THEN 1 ELSE 0 END) AS writes,
    array_join(array_sort(array_agg(DISTINCT eventName)), ', ') AS apis,
    array_join(array_sort(array_agg(DISTINCT sourceIPAddress)), ', ') AS sourceIps,
    array_join(array_sort(array_agg(DISTINCT awsRegion)), ', ') AS regions,
    min(eventTime) AS firstCall,
    max(eventTime) AS lastCall
FROM {{eds}}
WHERE userIdentity.sessionContext.sessionIssuer.userName = '{{role}}'
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY userIdentity.arn, recipientAccountId
ORDER BY firstCall, session
