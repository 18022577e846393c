-- In unit_map (the versions of one worker result), flag those that lack results of a stage/config.
UPDATE unit_map SET pending = NOT EXISTS (
    SELECT 1 FROM stage_results AS r
    WHERE r.version_id = unit_map.version_id AND r.stage = ? AND r.config_hash = ?
);
