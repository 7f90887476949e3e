-- name: security-groups-opened-to-world
-- title: Security groups opened to the whole internet
-- category: change-tracking
-- description: Successful ingress rule changes that allow traffic from any address (an IPv4 or IPv6 range
--   ending in /0, such as 0.0.0.0/0 or ::/0), newest first, with the group, protocol and ports of the first
--   rule in the request. SSH (22), RDP (3389) and database ports open to the world are the usual first step
--   of a break-in or a data leak; protocol -1 means every port.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    eventTime,
    recipientAccountId,
    awsRegion,
    eventName,
    coalesce(element_at(requestParameters, 'groupId'), element_at(requestParameters, 'groupName')) AS groupId,
    coalesce(json_extract_scalar(element_at(requestParameters, 'ipPermissions'), '$.items[0].ipProtocol'),
        element_at(requestParameters, 'ipProtocol')) AS protocol,
    coalesce(json_extract_scalar(element_at(requestParameters, 'ipPermissions'), '$.items[0].fromPort'),
        element_at(requestParameters, 'fromPort')) AS fromPort,
    coalesce(json_extract_scalar(element_at(requestParameters, 'ipPermissions'), '$.items[0].toPort'),
        element_at(requestParameters, 'toPort')) AS toPort,
    coalesce(
        regexp_extract(coalesce(element_at(requestParameters, 'ipPermissions'),
            element_at(requestParameters, 'ModifySecurityGroupRulesRequest')),
            '(?i)"cidrIp(?:v4|v6)?"\s*:\s*"([^"]*/0)"', 1),
        element_at(requestParameters, 'cidrIp')) AS openTo,
    userIdentity.arn AS changedBy,
    sourceIPAddress
FROM {{eds}}
WHERE eventSource = 'ec2.amazonaws.com'
    AND eventName IN ('AuthorizeSecurityGroupIngress', 'ModifySecurityGroupRules')
    AND errorCode IS NULL
    AND (
        regexp_like(coalesce(element_at(requestParameters, 'ipPermissions'),
            element_at(requestParameters, 'ModifySecurityGroupRulesRequest'), ''),
            '(?i)"cidrIp(?:v4|v6)?"\s*:\s*"[^"]*/0"')
        OR element_at(requestParameters, 'cidrIp') LIKE '%/0'
    )
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
ORDER BY eventTime DESC, groupId
