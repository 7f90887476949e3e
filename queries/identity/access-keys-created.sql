-- name: access-keys-created
-- title: Access keys created: who made which key for whom
-- category: identity
-- description: Every successful CreateAccessKey call, newest first: who called it, for which user (the caller
--   itself when the request names no user, `root` for the root user's own keys), the new key's id and the
--   caller's IP. Long-term keys are what attackers create to keep access; a key made for another user, a root
--   key, or a key made from an unfamiliar IP is worth a question.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    eventTime,
    recipientAccountId,
    userIdentity.type AS callerType,
    userIdentity.arn AS caller,
    coalesce(element_at(requestParameters, 'userName'),
        json_extract_scalar(element_at(responseElements, 'accessKey'), '$.userName'),
        CASE WHEN userIdentity.type = 'Root' THEN 'root' ELSE userIdentity.userName END) AS forUser,
    json_extract_scalar(element_at(responseElements, 'accessKey'), '$.accessKeyId') AS newAccessKeyId,
    sourceIPAddress,
    userAgent
FROM {{eds}}
WHERE eventSource = 'iam.amazonaws.com'
    AND eventName = 'CreateAccessKey'
    AND errorCode IS NULL
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
ORDER BY eventTime DESC, newAccessKeyId
