-- name: principals-with-most-source-ips
-- title: Principals calling from the most distinct IPs
-- category: identity
-- description: Users and role sessions ranked by how many distinct source IPs their calls came from, with
--   their event count, how many of the calls failed, and first and last call. People work from a handful of
--   addresses; a principal whose credentials are used from dozens of IPs has probably leaked them (or is a
--   shared automation identity that should not be). Calls made by AWS services on a principal's behalf
--   (source like `s3.amazonaws.com`) are not counted as IPs.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
-- param: limit | 20 | Most principals to list
SELECT
    userIdentity.arn AS principal,
    userIdentity.type AS identityType,
    count(DISTINCT sourceIPAddress) AS sourceIps,
    count(*) AS events,
    sum(CASE WHEN errorCode IS NOT NULL THEN 1 ELSE 0 END) AS failed,
    min(eventTime) AS firstSeen,
    max(eventTime) AS lastSeen
FROM {{eds}}
WHERE userIdentity.arn IS NOT NULL
    AND sourceIPAddress IS NOT NULL
    AND sourceIPAddress NOT LIKE '%.amazonaws.com'
    AND sourceIPAddress <> 'AWS Internal'
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY userIdentity.arn, userIdentity.type
ORDER BY sourceIps DESC, events DESC, principal
LIMIT {{limit}}
