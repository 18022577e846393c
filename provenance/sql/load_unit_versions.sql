-- One worker result: new file versions with their issues. unit_map (file_index → version) is kept for the
-- documents and stage loads that follow in the same transaction.
CREATE OR REPLACE TEMP TABLE unit_map AS
SELECT u.file_index, u.version_id,
       NOT EXISTS (SELECT 1 FROM file_versions AS v WHERE v.version_id = u.version_id) AS is_new,
       false AS pending
FROM unit_versions AS u;

INSERT INTO file_versions BY NAME
SELECT u.* EXCLUDE (file_index)
FROM unit_versions AS u JOIN unit_map AS m USING (file_index)
WHERE m.is_new;

INSERT INTO record_issues
SELECT m.version_id, i.ordinal, i.line, i.code, i.message
FROM unit_issues AS i JOIN unit_map AS m USING (file_index)
WHERE m.is_new;

INSERT INTO issue_counts
SELECT m.version_id, c.code, c.count, c.first_line, c.first_ordinal, c.first_message
FROM unit_counts AS c JOIN unit_map AS m USING (file_index)
WHERE m.is_new;
