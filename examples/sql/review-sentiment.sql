-- Sentiment of product reviews with a SageMaker async inference endpoint, from SQL only.
--
-- Run it on this machine, against the embedded local endpoint (no AWS account needed):
--   mvn -q -pl examples -am compile exec:exec -Dexample.main=io.github.flinksagemaker.examples.SqlScriptRunner
-- Run it against AWS: put your options in a properties file (see docs/sql.md) and add
--   -Dexample.args="--options my-endpoint.properties"
-- In the SQL client, add flink-sql-connector-sagemaker-async-<version>.jar with ADD JAR or
-- -j and write your options where ${...} stands.
--
-- ${ENDPOINT_OPTIONS}: 'sagemaker.endpoint-name', 'sagemaker.s3.input-prefix' and the aws.* options.
-- ${JOB_PARAMETERS}:  the same options as a pipeline.global-job-parameters map.
-- ${WATCH_OPTIONS}:    'sagemaker.output-path', 'sagemaker.failure-path' and the aws.* options.

CREATE TEMPORARY VIEW reviews AS
SELECT id, review, PROCTIME() AS proc FROM (VALUES
    (1, '{"text": "Great blender, I love it. Works perfectly."}'),
    (2, '{"text": "Arrived broken. Terrible support, I want a refund."}'),
    (3, '{"text": "It is a kettle. It boils water."}'),
    (4, '{"text": "Excellent value, would recommend to anyone."}'),
    (5, '{"text": "Slow, cheap plastic, returned it the next day."}'),
    (6, 'this review is not JSON, so the demo model fails on it')
) AS t(id, review);

-- 1. One call per row: submit, wait for the result, return the model's output.
--    Options come from the job parameters because CREATE FUNCTION cannot take any.
--    Credentials are not among them: the default chain (the task role on Managed Service for
--    Apache Flink), a profile, or 'sagemaker.options-file' keep them out of Flink's web UI.
--    A row waits at most just under the planner's default 3 min timeout; a failed inference
--    (the review that is not JSON) gives NULL, logged and counted
--    ('sagemaker.invoke.error-handling').
SET 'pipeline.global-job-parameters' = '${JOB_PARAMETERS}';

CREATE TEMPORARY SYSTEM FUNCTION SAGEMAKER_INVOKE_ASYNC
    AS 'io.github.flinksagemaker.connector.table.SageMakerInvokeAsyncFunction';

SELECT id, SAGEMAKER_INVOKE_ASYNC(review, 'application/json') AS sentiment
FROM reviews;

-- 2. ML_PREDICT with typed OUTPUT columns; failed rows keep their error (the default, IGNORE).
--    Rows end before the planner's timeout ('table.exec.async-ml-predict.timeout', 3 min).
CREATE TEMPORARY MODEL review_sentiment
INPUT (text STRING)
OUTPUT (label STRING, score DOUBLE, `error-string` STRING, `error-status` STRING)
WITH (
    'provider' = 'sagemaker-async',
    'input-format' = 'RAW',
    'output-format' = 'JSON',
    ${ENDPOINT_OPTIONS}
);

SELECT id, label, score, `error-status`
FROM ML_PREDICT(TABLE reviews, MODEL review_sentiment, DESCRIPTOR(review));

-- 3. Decoupled, for models that take minutes: submit returns at once, a results table watches
--    S3, and an interval join on location puts each request together with its result.
--    The join's upper bound covers the result window SAGEMAKER_SUBMIT_ASYNC leaves at the
--    service's defaults (RequestTTL 6 h + InvocationTimeout 15 min), as docs/sql.md explains.
CREATE TEMPORARY SYSTEM FUNCTION SAGEMAKER_SUBMIT_ASYNC
    AS 'io.github.flinksagemaker.connector.table.SageMakerSubmitAsyncFunction';

CREATE TEMPORARY TABLE sentiment_results (
    location STRING,
    status STRING,
    content STRING,
    last_modified TIMESTAMP_LTZ(3) METADATA FROM 'last-modified',
    proc AS PROCTIME()
) WITH (
    'connector' = 'sagemaker-async-results',
    'sagemaker.watch.start-from' = 'NOW',
    ${WATCH_OPTIONS}
);

CREATE TEMPORARY VIEW submitted AS
SELECT id, proc, SAGEMAKER_SUBMIT_ASYNC(review, 'application/json') AS s
FROM reviews;

SELECT q.id, r.status, r.content
FROM submitted AS q
CROSS JOIN UNNEST(ARRAY[q.s.output_location, q.s.failure_location]) AS l(location)
JOIN sentiment_results AS r
    ON r.location = l.location
    AND r.proc BETWEEN q.proc - INTERVAL '1' MINUTE AND q.proc + INTERVAL '6:20' HOUR TO MINUTE
LIMIT 6;
