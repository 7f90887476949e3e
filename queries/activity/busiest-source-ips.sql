-- name: busiest-source-ips
-- title: Busiest source IP addresses
-- category: activity
-- description: The source addresses that made the most calls (AWS services appear by name, e.g.
--   s3.amazonaws.com), with how many principals and accounts used each, failures and the first and last call.
--   An address shared by many unrelated principals is usually a NAT or VPN; an unknown address with one
--   principal and a short active window is worth checking with ip-activity.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
-- param: limit | 25 | Most addresses to list
SELECT
    sourceIPAddress,
    count(*) AS calls,
    count(DISTINCT userIdentity.arn) AS principals,
    count(DISTINCT recipientAccountId) AS accounts,
    sum(CASE WHEN errorCode IS NOT NULL AND errorCode <> '' THEN 1 ELSE 0 END) AS errors,
    min(eventTime) AS firstSeen,
    max(eventTime) AS lastSeen
FROM {{eds}}
WHERE eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY sourceIPAddress
ORDER BY calls DESC, sourceIPAddress
LIMIT {{limit}}
