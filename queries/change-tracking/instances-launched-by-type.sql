-- name: instances-launched-by-type
-- title: EC2 instances launched, by instance type
-- category: change-tracking
-- description: Successful RunInstances calls grouped by instance type, biggest requests first: launch calls,
--   instances requested (maxCount), accounts, regions, distinct callers, first and last launch. Normal
--   workloads use a few familiar types; a burst of GPU (p, g) or very large types is the signature of
--   cryptocurrency mining on stolen credentials.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    CASE WHEN element_at(requestParameters, 'instanceType') LIKE '{%'
        THEN json_extract_scalar(element_at(requestParameters, 'instanceType'), '$.value')
        ELSE element_at(requestParameters, 'instanceType') END AS instanceType,
    count(*) AS launches,
    sum(coalesce(try_cast(json_extract_scalar(element_at(requestParameters, 'instancesSet'),
        '$.items[0].maxCount') AS integer), 1)) AS instancesRequested,
    array_join(array_sort(array_agg(DISTINCT recipientAccountId)), ', ') AS accounts,
    array_join(array_sort(array_agg(DISTINCT awsRegion)), ', ') AS regions,
    count(DISTINCT userIdentity.arn) AS callers,
    min(eventTime) AS firstLaunch,
    max(eventTime) AS lastLaunch
FROM {{eds}}
WHERE eventSource = 'ec2.amazonaws.com'
    AND eventName = 'RunInstances'
    AND errorCode IS NULL
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY CASE WHEN element_at(requestParameters, 'instanceType') LIKE '{%'
    THEN json_extract_scalar(element_at(requestParameters, 'instanceType'), '$.value')
    ELSE element_at(requestParameters, 'instanceType') END
ORDER BY instancesRequested DESC, instanceType
