-- name: ip-activity
-- title: Everything from one source IP address
-- category: investigation
-- description: Every call made from the source address `ip`, oldest first, whoever made it: principal,
--   identity type, account, region, API, outcome and user agent. An attacker's address often links several
--   identities (a failed sign-in, root, a new user) into one story.
-- param: eds | | The event data store (id, name or ARN)
-- param: ip | | The source IP address, exactly as recorded
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    eventTime,
    COALESCE(userIdentity.arn, userIdentity.invokedBy, userIdentity.type) AS principal,
    userIdentity.type AS identityType,
    recipientAccountId,
    awsRegion,
    eventSource,
    eventName,
    errorCode,
    userAgent,
    eventID
FROM {{eds}}
WHERE sourceIPAddress = '{{ip}}'
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
ORDER BY eventTime, eventID
