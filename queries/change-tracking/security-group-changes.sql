-- name: security-group-changes
-- title: Security group changes
-- category: change-tracking
-- description: Every successful security group change, newest first: groups created and deleted, ingress and
--   egress rules added, removed or modified, with the group, the first rule's protocol, ports and address
--   range, and who made the change. The full history of who opened what, for reviews and for rebuilding the
--   state of a group at a given time.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    eventTime,
    recipientAccountId,
    awsRegion,
    eventName,
    coalesce(element_at(requestParameters, 'groupId'), element_at(requestParameters, 'groupName'),
        json_extract_scalar(element_at(responseElements, 'groupId'), '$')) AS groupId,
    coalesce(json_extract_scalar(element_at(requestParameters, 'ipPermissions'), '$.items[0].ipProtocol'),
        element_at(requestParameters, 'ipProtocol')) AS protocol,
    coalesce(json_extract_scalar(element_at(requestParameters, 'ipPermissions'), '$.items[0].fromPort'),
        element_at(requestParameters, 'fromPort')) AS fromPort,
    coalesce(json_extract_scalar(element_at(requestParameters, 'ipPermissions'), '$.items[0].toPort'),
        element_at(requestParameters, 'toPort')) AS toPort,
    coalesce(
        json_extract_scalar(element_at(requestParameters, 'ipPermissions'),
            '$.items[0].ipRanges.items[0].cidrIp'),
        json_extract_scalar(element_at(requestParameters, 'ipPermissions'),
            '$.items[0].ipv6Ranges.items[0].cidrIpv6'),
        element_at(requestParameters, 'cidrIp')) AS addressRange,
    userIdentity.arn AS changedBy,
    sourceIPAddress
FROM {{eds}}
WHERE eventSource = 'ec2.amazonaws.com'
    AND eventName IN ('CreateSecurityGroup', 'DeleteSecurityGroup', 'AuthorizeSecurityGroupIngress',
        'AuthorizeSecurityGroupEgress', 'RevokeSecurityGroupIngress', 'RevokeSecurityGroupEgress',
        'ModifySecurityGroupRules', 'UpdateSecurityGroupRuleDescriptionsIngress',
        'UpdateSecurityGroupRuleDescriptionsEgress')
    AND errorCode IS NULL
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
ORDER BY eventTime DESC, eventName, groupId
