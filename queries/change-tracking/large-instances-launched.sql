-- name: large-instances-launched
-- title: GPU and very large EC2 instances launched
-- category: change-tracking
-- description: RunInstances calls, newest first and including failed attempts, for accelerated instance
--   families (p, g, inf, trn, dl, f, vt: GPUs and other accelerators), bare-metal types, and sizes of at
--   least `min_xlarge` xlarge (e.g. 24xlarge). These cost a lot per hour and are what attackers launch to
--   mine cryptocurrency; an attempt refused for quota or permission is as telling as a success.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
-- param: min_xlarge | 16 | Least xlarge multiple for a size to count as very large
SELECT
    eventTime,
    recipientAccountId,
    awsRegion,
    instanceType,
    instancesRequested,
    caller,
    sourceIPAddress,
    errorCode
FROM (
    SELECT
        eventTime,
        recipientAccountId,
        awsRegion,
        CASE WHEN element_at(requestParameters, 'instanceType') LIKE '{%'
            THEN json_extract_scalar(element_at(requestParameters, 'instanceType'), '$.value')
            ELSE element_at(requestParameters, 'instanceType') END AS instanceType,
        coalesce(try_cast(json_extract_scalar(element_at(requestParameters, 'instancesSet'),
            '$.items[0].maxCount') AS integer), 1) AS instancesRequested,
        userIdentity.arn AS caller,
        sourceIPAddress,
        errorCode
    FROM {{eds}}
    WHERE eventSource = 'ec2.amazonaws.com'
        AND eventName = 'RunInstances'
        AND eventTime >= '{{start}}'
        AND eventTime <= '{{end}}'
) launches
WHERE regexp_like(instanceType, '^(p[0-9]|g[0-9]|inf[0-9]|trn[0-9]|dl[0-9]|f[0-9]|vt[0-9])')
    OR instanceType LIKE '%.metal%'
    OR coalesce(CAST(regexp_extract(instanceType, '\.([0-9]+)xlarge$', 1) AS integer), 0) >= {{min_xlarge}}
ORDER BY eventTime DESC, caller, instanceType
