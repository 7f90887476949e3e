-- name: resource-activity
-- title: Calls that touched one resource or bucket
-- category: investigation
-- description: Every call on the resource named by `resource`: a bucket name, instance id, role name, key id
--   or an ARN fragment. It matches the request parameters (any top-level value containing the text, so a
--   bucket name finds both bucket settings and object reads and writes) and the first three entries of
--   resources. Oldest first, with who, from where, and the outcome. A short name can match more than one
--   resource.
-- param: eds | | The event data store (id, name or ARN)
-- param: resource | | Bucket name, resource id or ARN fragment to look for
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    eventTime,
    COALESCE(userIdentity.arn, userIdentity.invokedBy, userIdentity.type) AS principal,
    sourceIPAddress,
    recipientAccountId,
    eventSource,
    eventName,
    errorCode,
    COALESCE(element_at(requestParameters, 'bucketName'), element_at(resources, 1).ARN) AS target,
    element_at(requestParameters, 'key') AS objectKey,
    eventID
FROM {{eds}}
WHERE (array_join(map_values(requestParameters), ' ') LIKE '%{{resource}}%'
        OR element_at(resources, 1).ARN LIKE '%{{resource}}%'
        OR element_at(resources, 2).ARN LIKE '%{{resource}}%'
        OR element_at(resources, 3).ARN LIKE '%{{resource}}%')
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
ORDER BY eventTime, eventID
