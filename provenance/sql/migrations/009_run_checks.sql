-- Worse-run marking (provenance/regression.py): after every completed audit, the run is compared with the previous
-- completed run of the catalog, and the verdict is kept here so that `provenance runs` and `provenance trend` show it
-- without recomputing, and so that a verdict stays what it was when the alert went out (later runs do not move it).
-- Only codes, source ids, counts and rates are stored: no document text and no personal data.

CREATE TABLE run_checks (
    run_id           VARCHAR PRIMARY KEY,
    previous_run_id  VARCHAR,              -- the completed run compared with; NULL for a catalog's first completed run
    worse            BOOLEAN,              -- NULL when there was nothing to compare with
    reasons          JSON NOT NULL,        -- [] or [{"kind": "new_high_findings" | "pii_rate" | "near_duplicate_rate",
                                           --   ...}]: see regression.py for each kind's keys
    margins          JSON NOT NULL,        -- {"pii_rate": 0.01, "near_duplicate_rate": 0.02}: --worse-*-margin used
    not_compared     VARCHAR[] NOT NULL,   -- figures one of the two runs did not measure (its stage did not run)
    checked_at       TIMESTAMPTZ NOT NULL
);
