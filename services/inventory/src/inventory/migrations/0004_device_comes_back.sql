-- A device reloop sold can come back (customers trade back what they bought from us): it enters
-- again as a new unit. So an identifier is unique only among the units still ours; a unit that
-- left us for good (sold and not returned, written off) keeps its identifier and its history.
-- The index holds the rule under races: two receipts of one device cannot both insert, and an
-- old unit cannot become ours again (a return, found at a count) beside the unit it came back as.
ALTER TABLE units DROP CONSTRAINT units_identifier_key;
CREATE UNIQUE INDEX units_one_live_per_identifier ON units (identifier)
    WHERE status NOT IN ('sold', 'written_off');
-- Every unit a device has been, for the history read when it enters again or comes back.
CREATE INDEX units_identifier ON units (identifier);

-- The unit this device was before it left us and came back. Each unit is followed by one unit at
-- most, so a device's units form one line and its last unit is the one no other names.
ALTER TABLE units ADD COLUMN previous_unit_id TEXT REFERENCES units (unit_id);
CREATE UNIQUE INDEX units_one_successor ON units (previous_unit_id) WHERE previous_unit_id IS NOT NULL;
