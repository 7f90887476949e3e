-- name: user-agents
-- title: Tools in use (console, CLI, SDK, Terraform)
-- category: activity
-- description: Calls grouped by the kind of client that made them, read from the user agent: console (the
--   console or a browser), aws-cli, sdk (Boto3, aws-sdk-*), terraform, aws-service (an AWS service acting on
--   your behalf), aws-internal, none and other. Per kind: calls, principals, distinct user agent strings and
--   one example. A human user showing up with an unusual tool (python-requests, curl, an attack framework) is
--   suspicious.
-- param: eds | | The event data store (id, name or ARN)
-- param: start | 1970-01-01 00:00:00 | Earliest event time (UTC)
-- param: end | 2100-01-01 00:00:00 | Latest event time (UTC)
SELECT
    CASE
        WHEN userAgent IS NULL OR userAgent = '' THEN 'none'
        WHEN lower(userAgent) LIKE '%terraform%' THEN 'terraform'
        WHEN regexp_like(userAgent, '^\[?aws-cli') THEN 'aws-cli'
        WHEN regexp_like(lower(userAgent), '^aws internal|^aws-internal') THEN 'aws-internal'
        WHEN regexp_like(lower(userAgent), '^\[?mozilla|console\..*amazonaws\.com|^signin\.amazonaws\.com')
            THEN 'console'
        WHEN regexp_like(lower(userAgent), 'boto3|botocore|aws-sdk|^apn/') THEN 'sdk'
        WHEN regexp_like(lower(userAgent), '^[a-z0-9.-]+\.amazonaws\.com$') THEN 'aws-service'
        ELSE 'other'
    END AS client,
    count(*) AS calls,
    count(DISTINCT userIdentity.arn) AS principals,
    count(DISTINCT userAgent) AS userAgents,
    min(userAgent) AS exampleUserAgent,
    min(eventTime) AS firstSeen,
    max(eventTime) AS lastSeen
FROM {{eds}}
WHERE eventTime >= '{{start}}'
    AND eventTime <= '{{end}}'
GROUP BY 1
ORDER BY calls DESC, client
