-- name: s3-bytes-downloaded-by-principal
-- title: Bytes downloaded from S3 per principal
-- category: data-access
-- description: Who took the most data out of S3: GetObject data events summed per caller, largest first, in
--   bytes and MiB, with object count, buckets and source IPs. A principal far above its usual volume, or a
--   burst from one unfamiliar IP, is how exfiltration looks. Reads bytesTransferredOut from
--   additionalEventData; needs S3 data events in the store.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
-- param: limit | 20 | Most principals to list
SELECT
    coalesce(userIdentity.arn, userIdentity.invokedBy, userIdentity.principalId, userIdentity.type)
        AS principal,
    CAST(coalesce(sum(try_cast(element_at(additionalEventData, 'bytesTransferredOut') AS double)), 0)
        AS bigint) AS bytesOut,
    round(coalesce(sum(try_cast(element_at(additionalEventData, 'bytesTransferredOut') AS double)), 0)
        / 1048576, 1) AS mibOut,
    count(*) AS objectsRead,
    array_join(array_sort(array_agg(DISTINCT element_at(requestParameters, 'bucketName'))), ', ') AS buckets,
    count(DISTINCT sourceIPAddress) AS sourceIps,
    min(eventTime) AS firstRead,
    max(eventTime) AS lastRead
FROM {{eds}}
WHERE eventSource = 's3.amazonaws.com'
    AND eventName = 'GetObject'
    AND eventCategory = 'Data'
    AND errorCode IS NULL
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY coalesce(userIdentity.arn, userIdentity.invokedBy, userIdentity.principalId, userIdentity.type)
ORDER BY bytesOut DESC, principal
LIMIT {{limit}}
