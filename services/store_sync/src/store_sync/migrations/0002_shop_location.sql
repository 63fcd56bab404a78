-- Where a shop is and the day it opens to customers, announced on ShopRegistered for CRM's channel
-- analytics. Both optional: shops registered before this have neither (NULL opens_on: open from
-- its registration day).
ALTER TABLE shops
    ADD COLUMN postal_code TEXT CHECK (char_length(postal_code) BETWEEN 1 AND 16),
    ADD COLUMN opens_on    DATE;
