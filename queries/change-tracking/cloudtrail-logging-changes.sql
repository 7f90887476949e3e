-- name: cloudtrail-logging-changes
-- title: CloudTrail trails and event data stores stopped, deleted or changed
-- category: change-tracking
-- description: Calls that stop, delete or reconfigure CloudTrail logging (trails, event selectors, event data
--   stores, channels), newest first, including failed attempts (`errorCode` set). Stopping or narrowing the
--   audit trail is what an intruder does before the noisy part; every StopLogging, DeleteTrail or selector
--   change needs an owner. StartLogging and CreateTrail are listed too, to show when logging came back.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    eventTime,
    recipientAccountId,
    awsRegion,
    eventName,
    coalesce(element_at(requestParameters, 'name'), element_at(requestParameters, 'trailName'),
        element_at(requestParameters, 'eventDataStore'), element_at(requestParameters, 'channel')) AS target,
    userIdentity.arn AS changedBy,
    sourceIPAddress,
    errorCode
FROM {{eds}}
WHERE eventSource = 'cloudtrail.amazonaws.com'
    AND eventName IN ('StopLogging', 'StartLogging', 'CreateTrail', 'DeleteTrail', 'UpdateTrail',
        'PutEventSelectors', 'PutInsightSelectors', 'CreateEventDataStore', 'DeleteEventDataStore',
        'UpdateEventDataStore', 'StopEventDataStoreIngestion', 'StartEventDataStoreIngestion',
        'DeleteChannel', 'UpdateChannel', 'DeleteResourcePolicy', 'PutResourcePolicy')
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
ORDER BY eventTime DESC, eventName, target
