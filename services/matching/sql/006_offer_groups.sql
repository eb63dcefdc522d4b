-- 006_offer_groups.sql: an offer can be open to UN country groups (LDC, SIDS, LLDC) besides
-- States and regions. Which States a group holds is decided on the plan date from the catalog's
-- memberships (docs/matching-model.md, rule 4), so the offer stores the group, never its members.
ALTER TABLE matching.offers
    ADD COLUMN eligible_groups text[] NOT NULL DEFAULT '{}'
        CHECK (eligible_groups <@ ARRAY['LDC', 'SIDS', 'LLDC']::text[]);
