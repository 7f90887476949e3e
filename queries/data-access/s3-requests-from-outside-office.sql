-- name: s3-requests-from-outside-office
-- title: S3 requests from outside the office addresses
-- category: data-access
-- description: S3 calls (data and bucket management) whose source IP is not in `office_ips`, grouped by IP,
--   busiest first: requests, failures, principals, buckets, bytes sent out, first and last. Set `office_ips`
--   to your offices', VPN's and NAT gateways' public addresses (comma-separated, exact match). Calls made by
--   AWS services on someone's behalf are left out. An unknown IP reading a lot is a leaked key in use.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
-- param: office_ips | 203.0.113.10,203.0.113.11,198.51.100.7,192.0.2.44 | Known source IPs, comma-separated
-- param: limit | 50 | Most source IPs to list
SELECT
    sourceIPAddress,
    count(*) AS requests,
    sum(CASE WHEN errorCode IS NOT NULL THEN 1 ELSE 0 END) AS failed,
    count(DISTINCT userIdentity.arn) AS principals,
    array_join(array_sort(array_agg(DISTINCT userIdentity.arn)), ', ') AS principalArns,
    array_join(array_sort(array_agg(DISTINCT element_at(requestParameters, 'bucketName'))), ', ') AS buckets,
    CAST(coalesce(sum(try_cast(element_at(additionalEventData, 'bytesTransferredOut') AS double)), 0)
        AS bigint) AS bytesOut,
    min(eventTime) AS firstRequest,
    max(eventTime) AS lastRequest
FROM {{eds}}
WHERE eventSource = 's3.amazonaws.com'
    AND sourceIPAddress IS NOT NULL
    AND NOT contains(split(replace('{{office_ips}}', ' ', ''), ','), sourceIPAddress)
    AND sourceIPAddress NOT LIKE '%.amazonaws.com'
    AND sourceIPAddress <> 'AWS Internal'
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY sourceIPAddress
ORDER BY requests DESC, sourceIPAddress
LIMIT {{limit}}
