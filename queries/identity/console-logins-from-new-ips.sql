-- name: console-logins-from-new-ips
-- title: Console sign-ins from an IP the identity never used before
-- category: identity
-- description: Successful console sign-ins from a source IP the same identity had never signed in from, for
--   identities with at least `min_prior_logins` earlier sign-ins (so a brand-new user's first IPs are not
--   listed). History counts from the first event in the store up to `end`; only first uses inside the
--   window are listed. `loginsBefore` is the identity's history at that moment, `loginsFromIp` how often the
--   IP was used afterwards: a new IP used once, at an odd hour, by an identity with a long history is the
--   pattern of stolen credentials.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
-- param: min_prior_logins | 3 | Least number of earlier sign-ins the identity must have for a new IP to count
SELECT
    principal,
    sourceIPAddress,
    ipFirstSeen AS firstLoginFromIp,
    min(loginsBefore) AS loginsBefore,
    max(loginsFromIp) AS loginsFromIp,
    max(mfaUsed) AS mfaUsed
FROM (
    SELECT
        coalesce(userIdentity.arn, userIdentity.userName) AS principal,
        sourceIPAddress,
        eventTime,
        element_at(additionalEventData, 'MFAUsed') AS mfaUsed,
        rank() OVER (PARTITION BY coalesce(userIdentity.arn, userIdentity.userName) ORDER BY eventTime) - 1
            AS loginsBefore,
        min(eventTime) OVER (PARTITION BY coalesce(userIdentity.arn, userIdentity.userName), sourceIPAddress)
            AS ipFirstSeen,
        count(*) OVER (PARTITION BY coalesce(userIdentity.arn, userIdentity.userName), sourceIPAddress)
            AS loginsFromIp
    FROM {{eds}}
    WHERE eventName = 'ConsoleLogin'
        AND element_at(responseElements, 'ConsoleLogin') = 'Success'
        AND eventTime <= '{{end}}'
) logins
WHERE eventTime = ipFirstSeen
    AND ipFirstSeen >= '{{start}}'
GROUP BY principal, sourceIPAddress, ipFirstSeen
HAVING min(loginsBefore) >= {{min_prior_logins}}
ORDER BY firstLoginFromIp DESC, principal, sourceIPAddress
