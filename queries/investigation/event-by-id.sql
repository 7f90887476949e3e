-- name: event-by-id
-- title: One event in full
-- category: investigation
-- description: The event with eventID `event_id`, with every field an investigation needs: identity, session,
--   source, request parameters, response, additional data and resources. Copy an eventID from any other
--   sample's answer to see the whole record. Set start/end around its time to read less data.
-- param: eds | | The event data store (id, name or ARN)
-- param: event_id | | The eventID to show
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    eventID,
    eventTime,
    eventSource,
    eventName,
    eventType,
    eventCategory,
    readOnly,
    recipientAccountId,
    awsRegion,
    userIdentity.type AS identityType,
    userIdentity.arn AS principal,
    userIdentity.accessKeyId AS accessKeyId,
    userIdentity.sessionContext.sessionIssuer.arn AS sessionIssuer,
    userIdentity.sessionContext.attributes.mfaAuthenticated AS mfaAuthenticated,
    sourceIPAddress,
    userAgent,
    errorCode,
    errorMessage,
    requestParameters,
    responseElements,
    additionalEventData,
    resources,
    requestID
FROM {{eds}}
WHERE eventID = '{{event_id}}'
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
ORDER BY eventTime, eventSource, eventName
