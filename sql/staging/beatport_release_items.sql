-- model: staging.beatport_release_items
-- materialized: view
-- canonical: beatport_release_id = min(try_cast(item_id as bigint))
-- Beatport's releases as release items (its catalog numbers stand in for barcodes, so
-- none is read as one).
select release_id::varchar as item_id, title, artist_credit as artist, null::varchar as gtin,
    publish_date as release_date, track_count, null::double as popularity,
    'https://www.beatport.com/release/-/' || release_id as url, raw_file
from staging.beatport_releases
