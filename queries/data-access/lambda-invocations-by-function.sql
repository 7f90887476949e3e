-- name: lambda-invocations-by-function
-- title: Lambda invocations by function
-- category: data-access
-- description: Lambda Invoke data events per function, busiest first: invocations, throttled and other failed
--   calls, distinct callers and source IPs, first and last. A function invoked by a principal or from an IP
--   it never sees otherwise can be someone using it to reach data with the function's role. Needs Lambda
--   data events in the store.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    coalesce(element_at(resources, 1).ARN, element_at(requestParameters, 'functionName')) AS functionName,
    count(*) AS invocations,
    sum(CASE WHEN errorCode = 'TooManyRequestsException' THEN 1 ELSE 0 END) AS throttled,
    sum(CASE WHEN errorCode IS NOT NULL AND errorCode <> 'TooManyRequestsException' THEN 1 ELSE 0 END)
        AS otherFailures,
    count(DISTINCT coalesce(userIdentity.arn, userIdentity.invokedBy, userIdentity.principalId)) AS callers,
    count(DISTINCT sourceIPAddress) AS sourceIps,
    min(eventTime) AS firstInvocation,
    max(eventTime) AS lastInvocation
FROM {{eds}}
WHERE eventSource = 'lambda.amazonaws.com'
    AND eventName = 'Invoke'
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY coalesce(element_at(resources, 1).ARN, element_at(requestParameters, 'functionName'))
ORDER BY invocations DESC, functionName
