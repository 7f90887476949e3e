-- name: console-logins-without-mfa
-- title: Console sign-ins without MFA
-- category: identity
-- description: Successful AWS console sign-ins by IAM users and the root user that did not use MFA, one row
--   per identity: how many, from how many IPs, first and last. A password alone protects these identities;
--   root and admin users belong at the top of the MFA roll-out list. Federated (SSO, SAML) sign-ins are left
--   out: their MFA happens at the identity provider and CloudTrail always records MFAUsed=No for them.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    userIdentity.type AS identityType,
    coalesce(userIdentity.arn, userIdentity.userName) AS principal,
    recipientAccountId,
    count(*) AS logins,
    count(DISTINCT sourceIPAddress) AS sourceIps,
    min(eventTime) AS firstLogin,
    max(eventTime) AS lastLogin
FROM {{eds}}
WHERE eventName = 'ConsoleLogin'
    AND element_at(responseElements, 'ConsoleLogin') = 'Success'
    AND upper(element_at(additionalEventData, 'MFAUsed')) = 'NO'
    AND userIdentity.type IN ('IAMUser', 'Root')
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY userIdentity.type, coalesce(userIdentity.arn, userIdentity.userName), recipientAccountId
ORDER BY logins DESC, principal, recipientAccountId
