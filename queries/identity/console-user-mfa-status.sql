-- name: console-user-mfa-status
-- title: MFA use of every console user
-- category: identity
-- description: One row per IAM user or root identity that signed in to the console: successful sign-ins with
--   and without MFA, failed attempts, and the last sign-in with its MFA flag and IP. `mfaStatus` sums it up:
--   `never` (no sign-in used MFA: enforce it), `sometimes` (MFA is not required) or `always`. Federated
--   sign-ins are left out: their MFA is the identity provider's business.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    coalesce(userIdentity.arn, userIdentity.userName) AS principal,
    userIdentity.type AS identityType,
    CASE
        WHEN sum(CASE WHEN element_at(responseElements, 'ConsoleLogin') = 'Success'
            AND upper(element_at(additionalEventData, 'MFAUsed')) = 'YES' THEN 1 ELSE 0 END) = 0 THEN 'never'
        WHEN sum(CASE WHEN element_at(responseElements, 'ConsoleLogin') = 'Success'
            AND upper(element_at(additionalEventData, 'MFAUsed')) <> 'YES' THEN 1 ELSE 0 END) = 0
            THEN 'always'
        ELSE 'sometimes'
    END AS mfaStatus,
    sum(CASE WHEN element_at(responseElements, 'ConsoleLogin') = 'Success'
        AND upper(element_at(additionalEventData, 'MFAUsed')) = 'YES' THEN 1 ELSE 0 END) AS loginsWithMfa,
    sum(CASE WHEN element_at(responseElements, 'ConsoleLogin') = 'Success'
        AND upper(element_at(additionalEventData, 'MFAUsed')) <> 'YES' THEN 1 ELSE 0 END) AS loginsWithoutMfa,
    sum(CASE WHEN element_at(responseElements, 'ConsoleLogin') = 'Failure' OR errorMessage IS NOT NULL
        THEN 1 ELSE 0 END) AS failedLogins,
    max(CASE WHEN element_at(responseElements, 'ConsoleLogin') = 'Success' THEN eventTime END) AS lastLogin
FROM {{eds}}
WHERE eventName = 'ConsoleLogin'
    AND userIdentity.type IN ('IAMUser', 'Root')
    AND eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY coalesce(userIdentity.arn, userIdentity.userName), userIdentity.type
HAVING sum(CASE WHEN element_at(responseElements, 'ConsoleLogin') = 'Success' THEN 1 ELSE 0 END) > 0
ORDER BY CASE mfaStatus WHEN 'never' THEN 1 WHEN 'sometimes' THEN 2 ELSE 3 END, principal
