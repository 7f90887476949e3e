-- name: security-monitoring-disabled
-- title: Security monitoring switched off or blinded
-- category: change-tracking
-- description: Successful calls that disable or blind detection outside CloudTrail itself, newest first:
--   GuardDuty detectors deleted or disabled, members disassociated, trusted IP lists added; AWS Config
--   recorders stopped or deleted; Security Hub, Macie, Inspector, Detective and Access Analyzer turned off;
--   VPC flow logs, Route 53 resolver query logs and Bedrock invocation logs deleted. Intruders do this right
--   before acting; each row needs an owner and a reason.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    eventTime,
    recipientAccountId,
    awsRegion,
    eventSource,
    eventName,
    coalesce(element_at(requestParameters, 'detectorId'),
        element_at(requestParameters, 'configurationRecorderName'),
        element_at(requestParameters, 'deliveryChannelName'), element_at(requestParameters, 'configRuleName'),
        element_at(requestParameters, 'resolverQueryLogConfigId'),
        element_at(requestParameters, 'analyzerName'), element_at(requestParameters, 'graphArn'),
        element_at(requestParameters, 'flowLogIds')) AS target,
    userIdentity.arn AS changedBy,
    sourceIPAddress
FROM {{eds}}
WHERE errorCode IS NULL
    AND (
        (eventSource = 'guardduty.amazonaws.com' AND (eventName IN ('DeleteDetector',
            'DisassociateFromMasterAccount', 'DisassociateFromAdministratorAccount', 'DisassociateMembers',
            'DeleteMembers', 'StopMonitoringMembers', 'CreateIPSet', 'UpdateIPSet',
            'DeletePublishingDestination')
            OR (eventName = 'UpdateDetector' AND element_at(requestParameters, 'enable') = 'false')))
        OR (eventSource = 'config.amazonaws.com' AND eventName IN ('StopConfigurationRecorder',
            'DeleteConfigurationRecorder', 'DeleteDeliveryChannel', 'DeleteConfigRule',
            'DeleteConfigurationAggregator'))
        OR (eventSource = 'securityhub.amazonaws.com' AND eventName IN ('DisableSecurityHub',
            'BatchDisableStandards', 'DisassociateFromMasterAccount', 'DisassociateFromAdministratorAccount'))
        OR (eventSource IN ('macie.amazonaws.com', 'macie2.amazonaws.com') AND (eventName = 'DisableMacie'
            OR (eventName = 'UpdateMacieSession' AND element_at(requestParameters, 'status') = 'PAUSED')))
        OR (eventSource = 'inspector2.amazonaws.com' AND eventName = 'Disable')
        OR (eventSource = 'detective.amazonaws.com'
            AND eventName IN ('DeleteGraph', 'DisassociateMembership'))
        OR (eventSource = 'access-analyzer.amazonaws.com' AND eventName = 'DeleteAnalyzer')
        OR (eventSource = 'ec2.amazonaws.com' AND eventName = 'DeleteFlowLogs')
        OR (eventSource = 'route53resolver.amazonaws.com' AND eventName IN ('DeleteResolverQueryLogConfig',
            'DisassociateResolverQueryLogConfig'))
        OR (eventSource = 'bedrock.amazonaws.com' AND eventName = 'DeleteModelInvocationLoggingConfiguration')
    )
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
ORDER BY eventTime DESC, eventSource, eventName
