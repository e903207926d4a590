-- Every row written again into the judges' index (an update, an erasure's tombstone) makes
-- its trigger delete the entry's products by entry_id, which the primary key (product,
-- entry_id) cannot serve: without this index each write read every entry's products
-- (about 35-45 ms a row at 100,000 entries locally, one D1 writer for everything).
CREATE INDEX entry_products_by_entry ON entry_products (entry_id);
