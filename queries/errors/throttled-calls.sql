-- name: throttled-calls
-- title: Throttled calls by principal and API
-- category: errors
-- description: Calls refused because of request rate limits (ThrottlingException, Throttling,
--   Client.RequestLimitExceeded, TooManyRequestsException, SlowDown, ...LimitExceeded), one row per principal
--   and API. A principal throttled all the time is polling too hard or running away; throttling that appears
--   suddenly can mean someone is mass-calling an API (for example enumerating or decrypting). Quota errors
--   named LimitExceededException are not counted.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    COALESCE(userIdentity.arn, userIdentity.invokedBy, userIdentity.type) AS principal,
    eventSource,
    eventName,
    errorCode,
    count(*) AS throttled,
    count(DISTINCT awsRegion) AS regions,
    min(eventTime) AS firstThrottled,
    max(eventTime) AS lastThrottled
FROM {{eds}}
WHERE (regexp_like(errorCode, 'Throttl|TooManyRequests|SlowDown|RateExceeded')
        OR errorCode LIKE '%LimitExceeded')
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY COALESCE(userIdentity.arn, userIdentity.invokedBy, userIdentity.type),
    eventSource, eventName, errorCode
ORDER BY throttled DESC, principal, eventSource, eventName, errorCode
