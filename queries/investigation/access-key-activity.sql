-- name: access-key-activity
-- title: Everything done with one access key
-- category: investigation
-- description: Every call signed with the access key `access_key` (AKIA... long-term or ASIA... temporary),
--   plus the calls that created, updated or deleted it (CreateAccessKey, UpdateAccessKey, DeleteAccessKey) or
--   issued it (AssumeRole and other STS calls returning it). The `relation` column says which: used, or
--   managed. Use it when a key has leaked: it tells who owns the key, what it did, and where it came from.
-- param: eds | | The event data store (id, name or ARN)
-- param: access_key | | The access key id
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    eventTime,
    CASE WHEN userIdentity.accessKeyId = '{{access_key}}' THEN 'used' ELSE 'managed' END AS relation,
    COALESCE(userIdentity.arn, userIdentity.invokedBy, userIdentity.type) AS principal,
    recipientAccountId,
    awsRegion,
    sourceIPAddress,
    eventSource,
    eventName,
    errorCode,
    eventID
FROM {{eds}}
WHERE (userIdentity.accessKeyId = '{{access_key}}'
        OR element_at(requestParameters, 'accessKeyId') = '{{access_key}}'
        OR json_extract_scalar(element_at(responseElements, 'accessKey'), '$.accessKeyId') = '{{access_key}}'
        OR json_extract_scalar(element_at(responseElements, 'credentials'), '$.accessKeyId')
            = '{{access_key}}')
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
ORDER BY eventTime, eventID
